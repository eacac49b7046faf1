import { describeDivisionChanges } from '../divisions/diff.ts';
import { readDivisionReference } from '../divisions/reference-file.ts';
import { updateDivisionReference } from '../registry/division-update.ts';
import { cliActor, fail, withCommandStore, UsageError, type Command, type Flags } from './command-line.ts';

/** `--successors 350402=350404,350427=350405`: which division takes the place of one that goes. */
function successorsFlag(flags: Flags): Map<string, string> {
  const text = flags.successors;
  const pairs = new Map<string, string>();
  if (text === undefined) return pairs;
  for (const pair of text.split(',')) {
    const match = /^\s*(\d{6})=(\d{6})\s*$/.exec(pair);
    if (!match) throw new UsageError(`--successors takes OLD=NEW six-digit codes separated by commas, not "${pair}"`);
    pairs.set(match[1]!, match[2]!);
  }
  return pairs;
}

/**
 * `santong divisions update FILE.tsv [--dry-run] [--successors OLD=NEW,…]`: the change report on stdout, then
 * the tree updated (all or nothing), or every refusal on stderr with exit 1.
 */
export const divisionsUpdate: Command = async ({ flags, arg: file, now, say }) => {
  if (!file) throw new UsageError('divisions update needs a FILE.tsv (the format of server/divisions/gb2260.tsv)');
  const successors = successorsFlag(flags);
  const { tree, errors } = readDivisionReference(file);
  if (!tree) {
    errors.forEach((e) => process.stderr.write(`${e}\n`));
    return 1;
  }
  const dryRun = Boolean(flags['dry-run']);
  const { change, applied } = await withCommandStore(flags, (store) =>
    updateDivisionReference(store, tree, { successors, dryRun }, now, {
      actor: cliActor(),
      reason: flags.reason ?? `divisions update ${file}`,
    }),
  );
  describeDivisionChanges(change.changes).forEach(say);
  for (const m of change.moves) {
    const why = m.because === 'flag' ? 'named by --successors' : 'the only division of the same name';
    say(
      `successor ${m.from.code} ${m.from.name} → ${m.to.code} ${m.to.name} (${why}): ` +
        `${m.schools} schools and ${m.otherReferences} accounts, tokens, platforms or closures move`,
    );
  }
  if (change.refusals.length > 0) {
    change.refusals.forEach((r) => process.stderr.write(`${r}\n`));
    return fail(`refused: nothing was changed (${change.refusals.length} problems above)`);
  }
  say(applied ? `updated to "${tree.edition}"` : `dry run: nothing was changed; run again without --dry-run to apply`);
  return 0;
};
