import { desc } from 'drizzle-orm';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import { readCached } from '../db/read-cache.ts';
import type { Db } from '../db/client.ts';
import { plans } from '../db/schema.ts';

/** A plan that cannot be loaded or applied; the message says why and what to do. */
export class PlanError extends Error {}

/**
 * The plan in force: the one imported last. Throws if none was ever loaded. Every ingest and every read
 * asks for it, so it is parsed once per read-model version (an import moves the version), not per call.
 */
export function currentPlan(db: Db): Plan {
  return readCached(db, 'plan', () => {
    const row = db.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1).get();
    if (!row) throw new PlanError('no plan loaded; run `santong plan import FILE.json`');
    return planSchema.parse(row.document);
  });
}
