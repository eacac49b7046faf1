import { desc } from 'drizzle-orm';
import type { Plan } from '../../shared/schemas/plan.ts';
import type { Db } from '../db/client.ts';
import { readCachedOnConnection } from '../db/read-cache-connection.ts';
import { plans } from '../db/schema.ts';
import { planOf } from './current.ts';

/**
 * currentPlan for code still on the SQLite connection (issue 14), sharing its cache; goes when the last caller is
 * on the store.
 */
export function currentPlanOnConnection(db: Db): Plan {
  return readCachedOnConnection(db, 'plan', () =>
    planOf(db.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1).get()),
  );
}
