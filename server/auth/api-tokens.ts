import { and, eq, isNull } from 'drizzle-orm';
import type { ApiPrincipal } from '../access/principals.ts';
import { statement, type Store } from '../db/store.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { confineTo } from '../divisions/confinement.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { DomainError } from '../errors.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';

/**
 * Issues an API token, confined to a division under the root when divisionCode is given (the root itself is
 * stored as the whole deployment); the token is returned once.
 */
export async function createApiToken(
  store: Store,
  input: { name: string; divisionCode: string | null },
  now: number,
  audit: AuditSource,
): Promise<{ id: number; token: string; divisionCode: string | null }> {
  // A token of the whole deployment names no division, so it needs no confinement.
  const divisionCode =
    input.divisionCode === null ? null : confineTo(await deploymentTree(store), input.divisionCode, 'API token');
  const token = generateSecret('api');
  return await store.transaction(async (tx) => {
    const [row] = await tx.q
      .insert(tx.t.apiTokens)
      .values({ name: input.name, divisionCode, tokenHash: hashSecret(token), createdAt: now })
      .returning({ id: tx.t.apiTokens.id });
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'api-token.create',
        entityType: 'api-token',
        entityId: String(row!.id),
        countyCode: divisionCode,
        newValue: { name: input.name, divisionCode },
      },
      now,
    );
    return { id: row!.id, token, divisionCode };
  });
}

// Every bureau API read authenticates: the lookup is one statement, prepared once per connection.
const activeTokenByHash = statement<{ id: number; name: string; divisionCode: string | null }, [string]>(
  'select id, name, division_code as "divisionCode" from api_tokens where token_hash = ? and revoked_at is null',
);

/** Finds the active API token a bearer secret belongs to, or null. */
export async function authenticateApiToken(store: Store, secret: string): Promise<ApiPrincipal | null> {
  const row = await store.row(activeTokenByHash, hashSecret(secret));
  return row ? { kind: 'api-token', ...row, schoolCode: null } : null;
}

/** Revokes an API token by id. */
export async function revokeApiToken(store: Store, id: number, now: number, audit: AuditSource): Promise<boolean> {
  return await store.transaction(async (tx) => {
    const { apiTokens } = tx.t;
    const [token] = await tx.q
      .select({ name: apiTokens.name, countyCode: apiTokens.divisionCode })
      .from(apiTokens)
      .where(and(eq(apiTokens.id, id), isNull(apiTokens.revokedAt)))
      .limit(1);
    if (!token) return false;
    await tx.q.update(apiTokens).set({ revokedAt: now }).where(eq(apiTokens.id, id));
    await recordAudit(
      tx,
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
