import { parsePlanFile } from '../plan/plan.ts';
import { importPlan } from '../programme/plan-import.ts';
import { sqliteStore } from '../db/store.ts';
import { cliActor, database, UsageError, type Command } from './command-line.ts';

/** `santong plan import FILE.json`: every problem of the file on stderr (exit 1), or the plan replaced. */
export const planImport: Command = async ({ flags, arg: file, now, say }) => {
  if (!file) throw new UsageError('plan import needs a FILE.json');
  const { plan, errors } = parsePlanFile(file);
  if (!plan) {
    errors.forEach((e) => process.stderr.write(`${e}\n`));
    return 1;
  }
  // A fresh directory gets this plan, not the shipped reference data first: the connection is opened so
  // (database(flags, false)) until plan loading moves onto the store (issue 14).
  const store = sqliteStore(database(flags, false));
  try {
    await importPlan(store, plan, `file: ${file}`, now, {
      actor: cliActor(),
      reason: flags.reason ?? `plan import ${file}`,
    });
  } finally {
    await store.close();
  }
  say(`plan "${plan.name}" imported for ${plan.root.code} ${plan.root.name}`);
  return 0;
};
