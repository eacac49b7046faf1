import type { Plan } from '../../shared/schemas/plan.ts';
import type { AuditSource } from '../audit/audit.ts';
import { evaluateSchoolsOnConnection } from '../coverage/evaluate-on-connection.ts';
import { legacyDb, type Store } from '../db/store.ts';
import { replacePlan } from '../plan/plan.ts';

/**
 * Replaces the plan and re-derives every school's figures under it, in one transaction: standards and
 * evidence windows may have changed. Lives above coverage, since plan/ must not import the evaluation.
 */
export async function importPlan(store: Store, plan: Plan, source: string, now: number, audit: AuditSource) {
  await store.transaction(async (tx) => {
    const { schools } = tx.t;
    const codes = (await tx.q.select({ code: schools.code }).from(schools)).map((s) => s.code);
    // Replacing the plan and evaluating schools stay on the SQLite connection until plan and coverage move.
    const db = legacyDb(tx, 'importing a plan');
    replacePlan(db, plan, source, now, audit);
    evaluateSchoolsOnConnection(db, codes, now);
  });
}
