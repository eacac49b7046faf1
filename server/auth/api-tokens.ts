import { and, eq, isNull } from 'drizzle-orm';
import type { ApiPrincipal } from '../access/principals.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { perConnection } from '../db/per-connection.ts';
import { recordAudit, tokenActor, userActor, type AuditSource } from '../audit/audit.ts';
import { apiTokens } from '../db/schema.ts';
import { confineTo } from '../divisions/confinement.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { DomainError } from '../errors.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';

/**
 * Issues an API token, confined to a division under the root when divisionCode is given (the root itself is
 * stored as the whole deployment); the token is returned once.
 */
export function createApiToken(
  db: Db,
  input: { name: string; divisionCode: string | null },
  now: number,
  audit: AuditSource,
) {
  const divisionCode = confineTo(deploymentTreeOnConnection(db), input.divisionCode, 'API token');
  const token = generateSecret('api');
  return inTransaction(db, () => {
    const row = db
      .insert(apiTokens)
      .values({ name: input.name, divisionCode, tokenHash: hashSecret(token), createdAt: now })
      .returning({ id: apiTokens.id })
      .get();
    recordAudit(
      db,
      {
        ...audit,
        action: 'api-token.create',
        entityType: 'api-token',
        entityId: String(row.id),
        countyCode: divisionCode,
        newValue: { name: input.name, divisionCode },
      },
      now,
    );
    return { id: row.id, token, divisionCode };
  });
}

// Every bureau API read authenticates: the lookup is prepared once per connection.
const activeTokenByHash = perConnection((sqlite) =>
  sqlite.prepare<[string], { id: number; name: string; divisionCode: string | null }>(
    'select id, name, division_code as divisionCode from api_tokens where token_hash = ? and revoked_at is null',
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
