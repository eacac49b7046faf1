import { desc } from 'drizzle-orm';
import type { Store } from '../db/store.ts';

/** Every API token for the bureau's list: name, scope and dates, never the secret (only its hash is kept). */
export async function listApiTokens(store: Store) {
  const { apiTokens } = store.t;
  return await store.q
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      divisionCode: apiTokens.divisionCode,
      createdAt: apiTokens.createdAt,
      revokedAt: apiTokens.revokedAt,
    })
    .from(apiTokens)
    .orderBy(desc(apiTokens.id));
}
