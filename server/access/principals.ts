import type { Role } from '../../shared/schemas/dashboard.ts';
import { tokenActor, userActor } from '../audit/audit.ts';

/*
 * Who a request comes from, as types only: the HTTP plumbing (http/app-env.ts) names them for every route,
 * so they sit below accounts/ and auth/, which create and authenticate them.
 */

/** A signed-in person and the part of the prefecture they may see. */
export interface User {
  id: number;
  username: string;
  role: Role;
  /**
   * The division the account is confined to: a bureau account's division (null: the deployment's root), a county
   * account's county, a school account's county.
   */
  divisionCode: string | null;
  /** The school a school account is confined to. */
  schoolCode: string | null;
}

/** Who is looking at a dashboard page: a user or nobody yet, and the CSRF token their forms carry. */
export interface Viewer {
  user: User | null;
  csrfSecret: string;
  csrfToken: string;
}

/**
 * Who is reading the bureau API: a bearer token or a signed-in dashboard user (session cookie), with
 * the division (null: the root) and school (school accounts only) they are confined to.
 */
export type ApiPrincipal =
  | { kind: 'api-token'; id: number; name: string; divisionCode: string | null; schoolCode: null }
  | { kind: 'user'; id: number; name: string; role: Role; divisionCode: string | null; schoolCode: string | null };

/** How the audit log names the principal. */
export function actorOf(principal: ApiPrincipal): string {
  return principal.kind === 'api-token' ? tokenActor(principal.id) : userActor(principal.name);
}
