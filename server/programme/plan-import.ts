import type { Plan } from '../../shared/schemas/plan.ts';
import type { AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { replacePlan } from '../plan/plan.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';

/**
 * Replaces the plan and re-derives every school's figures under it, in one transaction: standards and
 * evidence windows may have changed. Lives above coverage, since plan/ must not import the evaluation.
 */
export async function importPlan(store: Store, plan: Plan, source: string, now: number, audit: AuditSource) {
  await store.transaction(async (tx) => {
    const { schools } = tx.t;
    const codes = (await tx.q.select({ code: schools.code }).from(schools)).map((s) => s.code);
    await replacePlan(tx, plan, source, now, audit);
    await evaluateSchools(tx, codes, now);
  });
}
