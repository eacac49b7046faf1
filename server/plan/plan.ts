import fs from 'node:fs';
import { desc, eq } from 'drizzle-orm';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import type { Store } from '../db/store.ts';
import { DEFAULT_ROOT_CODE, deploymentTree, establishRoot, RootError, storedRoot } from '../divisions/deployment.ts';
import { PlanError } from './current.ts';

const defaultPlanFile = new URL('./linxia-2015-2020.json', import.meta.url);

/** Parses a plan file, returning every problem as `path: message` lines instead of throwing. */
export function parsePlanFile(file: string | URL): { plan?: Plan; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    return { errors: [`${String(file)}: not readable JSON (${(error as Error).message})`] };
  }
  const result = planSchema.safeParse(raw);
  if (result.success) return { plan: result.data, errors: [] };
  return { errors: result.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`) };
}

/**
 * Replaces the plan. On a database with no root yet the plan's root becomes the deployment's (its subtree of
 * the shipped reference is loaded); otherwise the plan must be for the stored root. The plan's `divisions`
 * give names and pinyin to divisions of the tree, each of which must be under the root. Schools' figures are
 * not re-derived here (coverage sits above plan): programme/plan-import.ts does both.
 */
export async function replacePlan(
  store: Store,
  plan: Plan,
  source: string,
  now: number,
  audit: AuditSource,
): Promise<void> {
  await store.transaction(async (tx) => {
    const { divisions, plans } = tx.t;
    const stored = await storedRoot(tx);
    if (stored && stored.code !== plan.root.code) {
      const [name] = await tx.q
        .select({ name: divisions.name })
        .from(divisions)
        .where(eq(divisions.code, stored.code))
        .limit(1);
      throw new PlanError(
        `this database tracks ${stored.code} (${name?.name ?? 'unknown'}); a plan for ${plan.root.code} needs its own data directory`,
      );
    }
    if (!stored) {
      try {
        await establishRoot(tx, plan.root.code, now);
      } catch (error) {
        if (error instanceof RootError) throw new PlanError(`root: ${error.message}`);
        throw error;
      }
    }
    const tree = await deploymentTree(tx);
    const outside = plan.divisions.filter((d) => d.code === plan.root.code || !tree.get(d.code));
    if (outside.length > 0) {
      const list = outside.map((d) => `${d.code} ${d.name}`).join(', ');
      throw new PlanError(`divisions: not under the root ${plan.root.code} in the division reference: ${list}`);
    }
    const untracked = plan.targets.flatMap((t, i) => (tree.get(t.division) ? [] : [`targets[${i}] ${t.division}`]));
    if (untracked.length > 0)
      throw new PlanError(
        `targets: not divisions of this deployment's tree (root ${plan.root.code}): ${untracked.join(', ')}`,
      );
    for (const d of [plan.root, ...plan.divisions])
      await tx.q
        .update(divisions)
        .set({ name: d.name, pinyin: d.pinyin ?? null })
        .where(eq(divisions.code, d.code));
    const [previous] = await tx.q.select({ document: plans.document }).from(plans).orderBy(desc(plans.id)).limit(1);
    await tx.q.insert(plans).values({ document: plan, importedAt: now, source });
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'plan.replace',
        entityType: 'plan',
        entityId: plan.root.code,
        oldValue: previous?.document ?? null,
        newValue: plan,
      },
      now,
    );
  });
}

const ministryStandardsFile = new URL('./ministry-standards-2015-2020.json', import.meta.url);

/**
 * Gives a database its deployment root (`requestedRoot`, stored at first use; decision 141) and, when it has no
 * plan yet, the shipped plan for that root: Linxia's own 2015–2020 plan for Linxia, the Ministry's indicators
 * as shares for any other root. Returns whether a plan was loaded.
 */
export async function ensureReferenceData(store: Store, now: number, requestedRoot?: string): Promise<boolean> {
  let root: string;
  try {
    root = await establishRoot(store, requestedRoot, now);
  } catch (error) {
    if (error instanceof RootError) throw new PlanError(error.message);
    throw error;
  }
  const { plans } = store.t;
  if ((await store.q.select({ id: plans.id }).from(plans).limit(1)).length > 0) return false;
  const linxia = root === DEFAULT_ROOT_CODE;
  const { plan, errors } = parsePlanFile(linxia ? defaultPlanFile : ministryStandardsFile);
  if (!plan) throw new PlanError(`the shipped plan is invalid: ${errors.join('; ')}`);
  const division = (await deploymentTree(store)).root;
  const forRoot = linxia ? plan : { ...plan, root: { code: division.code, name: division.name } };
  // A root without a plan has no schools yet (a roster is imported after the first start): nothing to re-derive.
  // Two servers starting at once on PostgreSQL may both get here: the second plan row is the same plan.
  await replacePlan(
    store,
    forRoot,
    `reference: ${linxia ? 'linxia-2015-2020.json' : 'ministry-standards-2015-2020.json'}`,
    now,
    {
      actor: 'system:first-start',
      reason: 'reference data loaded on first start',
    },
  );
  return true;
}
