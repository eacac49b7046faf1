import { desc } from 'drizzle-orm';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import type { Db } from '../db/client.ts';
import { plans } from '../db/schema.ts';

/** A plan that cannot be loaded or applied; the message says why and what to do. */
export class PlanError extends Error {}

// The plan is read on every ingest; parse it once per imported version, not once per request.
const parsedPlans = new WeakMap<Db, { id: number; plan: Plan }>();

/** The plan in force: the one imported last. Throws if none was ever loaded. */
export function currentPlan(db: Db): Plan {
  const latest = db.select({ id: plans.id }).from(plans).orderBy(desc(plans.id)).limit(1).get();
  if (!latest) throw new PlanError('no plan loaded; run `santong plan import FILE.json`');
  const cached = parsedPlans.get(db);
  if (cached?.id === latest.id) return cached.plan;
  const row = db.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1).get();
  const plan = planSchema.parse(row?.document);
  parsedPlans.set(db, { id: latest.id, plan });
  return plan;
}
