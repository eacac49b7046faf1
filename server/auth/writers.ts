import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../http/app-env.ts';
import { tokenActor, type AuditSource } from '../audit/audit.ts';
import { DomainError } from '../errors.ts';
import type { ApiPrincipal } from '../access/principals.ts';
import { apiAuth } from './middleware.ts';
import { divisionContains } from '../divisions/containment.ts';

/*
 * Who may change declared figures and the platform registry over the API. For now only bearer API
 * tokens: apiAuth also accepts the dashboard's session cookie, and a cookie-authenticated write would
 * need the dashboard's CSRF check, so sessions are refused here until the dashboard's own forms write.
 */

/**
 * apiAuth for a write route that may also sit under another feature's `apiAuth` prefix (the schools
 * routes guard /api/v1/schools/*): authenticates once, whichever middleware runs first.
 */
export const apiAuthOnce = createMiddleware<AppEnv>(async (c, next) => {
  if ((c.get('principal') as ApiPrincipal | undefined) !== undefined) return next();
  return apiAuth(c, next);
});

function tokenOf(principal: ApiPrincipal): Extract<ApiPrincipal, { kind: 'api-token' }> {
  if (principal.kind !== 'api-token') {
    throw new DomainError(
      'forbidden',
      'write_needs_api_token',
      'changes over the API need an API token (santong api-token create); a dashboard session can only read here',
    );
  }
  return principal;
}

/** The audit source of a write by this principal, if it may write in this county (a confined token: inside its division only). */
export function countyWriter(principal: ApiPrincipal, countyCode: string, reason: string): AuditSource {
  const token = tokenOf(principal);
  if (token.divisionCode !== null && !divisionContains(token.divisionCode, countyCode)) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `this token is scoped to division ${token.divisionCode}; it cannot change county ${countyCode}`,
    );
  }
  return { actor: tokenActor(token.id), reason };
}

/** The audit source of a deployment-wide write (the platform registry): tokens of the whole deployment only. */
export function bureauWriter(principal: ApiPrincipal, reason: string): AuditSource {
  const token = tokenOf(principal);
  if (token.divisionCode !== null) {
    throw new DomainError(
      'forbidden',
      'bureau_only',
      `this token is scoped to division ${token.divisionCode}; only a token of the whole deployment may change this`,
    );
  }
  return { actor: tokenActor(token.id), reason };
}
