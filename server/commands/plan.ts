import { parsePlanFile } from '../plan/plan.ts';
import { importPlan } from '../programme/plan-import.ts';
import { cliActor, UsageError, withCommandStore, type Command } from './command-line.ts';

/** `santong plan import FILE.json`: every problem of the file on stderr (exit 1), or the plan replaced. */
export const planImport: Command = async ({ flags, arg: file, now, say }) => {
  if (!file) throw new UsageError('plan import needs a FILE.json');
  const { plan, errors } = parsePlanFile(file);
  if (!plan) {
    errors.forEach((e) => process.stderr.write(`${e}\n`));
    return 1;
  }
  // A fresh database gets this plan, not the shipped reference data first.
  await withCommandStore(
    flags,
    (store) =>
      importPlan(store, plan, `file: ${file}`, now, {
        actor: cliActor(),
        reason: flags.reason ?? `plan import ${file}`,
      }),
    false,
  );
  say(`plan "${plan.name}" imported for ${plan.root.code} ${plan.root.name}`);
  return 0;
};
