import { and, eq, isNull } from 'drizzle-orm';
import type { ApiPrincipal } from '../access/principals.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { perConnection } from '../db/per-connection.ts';
import { recordAudit, tokenActor, userActor, type AuditSource } from '../audit/audit.ts';
import { apiTokens, divisions } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';

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
      throw new DomainError(
        'invalid',
        'county_unknown',
        `no county ${input.countyCode} in the plan's division tree`,
        undefined,
        { params: { county: input.countyCode } },
      );
  }
  const token = generateSecret('api');
  return inTransaction(db, () => {
    const row = db
      .insert(apiTokens)
      .values({ name: input.name, divisionCode: input.countyCode, tokenHash: hashSecret(token), createdAt: now })
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
    'select id, name, division_code as countyCode from api_tokens where token_hash = ? and revoked_at is null',
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
      .select({ name: apiTokens.name, countyCode: apiTokens.divisionCode })
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
