import type { Plan } from '../../shared/schemas/plan.ts';
import type { AuditSource } from '../audit/audit.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { schools } from '../db/schema.ts';
import { replacePlan } from '../plan/plan.ts';

/**
 * Replaces the plan and re-derives every school's figures under it, in one transaction: standards and
 * evidence windows may have changed. Lives above coverage, since plan/ must not import the evaluation.
 */
export function importPlan(db: Db, plan: Plan, source: string, now: number, audit: AuditSource): void {
  inTransaction(db, () => {
    replacePlan(db, plan, source, now, audit);
    const codes = db
      .select({ code: schools.code })
      .from(schools)
      .all()
      .map((s) => s.code);
    evaluateSchools(db, codes, now);
  });
}
