import { closureRequestSchema } from '../../shared/schemas/declarations.ts';
import { addClosure, listClosures, removeClosure } from '../programme/closures.ts';
import {
  cliActor,
  kebabFlag,
  parsedFlags,
  recordId,
  withCommandStore,
  type Command,
  type Flags,
} from './command-line.ts';

/*
 * `santong closure add|list|remove`: school closures (holidays, winter breaks) the evidence windows skip.
 * The same domain functions and schemas as the API, so the command line refuses the same input with the
 * same words.
 */

const audit = (flags: Flags, sub: string) => ({ actor: cliActor(), reason: flags.reason ?? `closure ${sub}` });

export const closureAdd: Command = async ({ flags, now, say }) => {
  const { reason, ...closure } = parsedFlags(
    closureRequestSchema,
    {
      name: flags.name,
      countyCode: flags.county,
      startsOn: flags.from,
      endsOn: flags.to,
      reason: flags.reason ?? audit(flags, 'add').reason,
    },
    kebabFlag,
  );
  const added = await withCommandStore(flags, (store) =>
    addClosure(store, closure, now, { ...audit(flags, 'add'), reason }),
  );
  say(`closure #${added.id} "${added.name}" ${added.startsOn}…${added.endsOn} (${added.countyCode ?? 'every county'})`);
  return 0;
};

export const closureList: Command = async ({ flags, say }) => {
  for (const c of await withCommandStore(flags, listClosures))
    say(`#${c.id} ${c.startsOn}…${c.endsOn} ${c.countyCode ?? 'all'} ${c.name}`);
  return 0;
};

export const closureRemove: Command = async ({ flags, now, say }) => {
  const id = recordId(flags);
  await withCommandStore(flags, (store) => removeClosure(store, id, now, audit(flags, 'remove')));
  say(`closure #${flags.id} removed`);
  return 0;
};
