import { desc } from 'drizzle-orm';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import { readCached } from '../db/read-cache.ts';
import type { Store } from '../db/store.ts';

/** A plan that cannot be loaded or applied; the message says why and what to do. */
export class PlanError extends Error {}

/**
 * The plan in force: the one imported last. Throws if none was ever loaded. Every ingest and every read
 * asks for it, so it is parsed once per read-model version (an import moves the version), not per call.
 */
export async function currentPlan(store: Store): Promise<Plan> {
  return readCached(store, 'plan', async () => {
    const { plans } = store.t;
    const [row] = await store.q.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1);
    return planOf(row);
  });
}

/** The stored plan document, validated; the error says how to load one when there is none. */
export function planOf(row: { document: unknown } | undefined): Plan {
  if (!row) throw new PlanError('no plan loaded; run `santong plan import FILE.json`');
  return planSchema.parse(row.document);
}
