import { and, eq, isNull } from 'drizzle-orm';
import type { Role } from '../../shared/schemas/dashboard.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { perConnection } from '../db/per-connection.ts';
import { recordAudit, tokenActor, userActor, type AuditSource } from '../audit/audit.ts';
import { apiTokens, divisions } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { generateSecret, hashSecret } from './secrets.ts';

/**
 * Who is reading the bureau API: a bearer token or a signed-in dashboard user (session cookie), with
 * the county (if any) and school (school accounts only) they are confined to.
 */
export type ApiPrincipal =
  | { kind: 'api-token'; id: number; name: string; countyCode: string | null; schoolCode: null }
  | { kind: 'user'; id: number; name: string; role: Role; countyCode: string | null; schoolCode: string | null };

/** Issues an API token (county-scoped when countyCode is given); the token is returned once. */
export function createApiToken(
  db: Db,
  input: { name: string; countyCode: string | null },
  now: number,
  audit: AuditSource,
) {
  if (input.countyCode !== null) {
    const county = db
      .select()
      .from(divisions)
      .where(and(eq(divisions.code, input.countyCode), eq(divisions.level, 'county')))
      .get();
    if (!county)
      throw new DomainError('invalid', 'county_unknown', `no county ${input.countyCode} in the plan's division tree`);
  }
  const token = generateSecret('api');
  return inTransaction(db, () => {
    const row = db
      .insert(apiTokens)
      .values({ name: input.name, countyCode: input.countyCode, tokenHash: hashSecret(token), createdAt: now })
      .returning({ id: apiTokens.id })
      .get();
    recordAudit(
      db,
      {
        ...audit,
        action: 'api-token.create',
        entityType: 'api-token',
        entityId: String(row.id),
        countyCode: input.countyCode,
        newValue: input,
      },
      now,
    );
    return { id: row.id, token };
  });
}

// Every bureau API read authenticates: the lookup is prepared once per connection.
const activeTokenByHash = perConnection((sqlite) =>
  sqlite.prepare<[string], { id: number; name: string; countyCode: string | null }>(
    'select id, name, county_code as countyCode from api_tokens where token_hash = ? and revoked_at is null',
  ),
);

/** Finds the active API token a bearer secret belongs to, or null. */
export function authenticateApiToken(db: Db, secret: string): ApiPrincipal | null {
  const row = activeTokenByHash(db).get(hashSecret(secret));
  return row ? { kind: 'api-token', ...row, schoolCode: null } : null;
}

/** Revokes an API token by id. */
export function revokeApiToken(db: Db, id: number, now: number, audit: AuditSource): boolean {
  return inTransaction(db, () => {
    const token = db
      .select({ name: apiTokens.name, countyCode: apiTokens.countyCode })
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .get();
    if (!token) return false;
    db.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id)).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'api-token.revoke',
        entityType: 'api-token',
        entityId: String(id),
        countyCode: token.countyCode,
        oldValue: { revokedAt: null },
        newValue: { revokedAt: now },
      },
      now,
    );
    return true;
  });
}

/** Throws 403 unless the principal may see this county (a school account sees no county-wide figures). */
export function assertCountyInScope(principal: ApiPrincipal, countyCode: string): void {
  countyScopeOf(principal);
  if (principal.countyCode !== null && principal.countyCode !== countyCode) {
    const who = principal.kind === 'api-token' ? 'this token is' : 'your account is';
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `${who} scoped to county ${principal.countyCode}; it cannot read county ${countyCode}`,
    );
  }
}

/** The county a county-wide read is confined to (null: all); throws 403 for a school account. */
export function countyScopeOf(principal: ApiPrincipal): string | null {
  if (principal.schoolCode !== null) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${principal.schoolCode} only; read /api/v1/schools/${principal.schoolCode}`,
    );
  }
  return principal.countyCode;
}

/** Throws 403 unless the principal may see this school. */
export function assertSchoolInScope(principal: ApiPrincipal, school: { code: string; county: { code: string } }): void {
  if (principal.schoolCode === null) return assertCountyInScope(principal, school.county.code);
  if (principal.schoolCode !== school.code) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${principal.schoolCode} only; it cannot read school ${school.code}`,
    );
  }
}

/** How the audit log names the principal. */
export function actorOf(principal: ApiPrincipal): string {
  return principal.kind === 'api-token' ? tokenActor(principal.id) : userActor(principal.name);
}

/** Throws 403 unless the principal sees the whole prefecture (prefecture-wide changes, the audit log). */
export function assertBureauWide(principal: ApiPrincipal): void {
  if (principal.countyCode !== null || principal.schoolCode !== null) {
    throw new DomainError('forbidden', 'bureau_only', 'this needs a prefecture-wide token or a bureau account');
  }
}
