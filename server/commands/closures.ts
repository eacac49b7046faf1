import { closureRequestSchema } from '../../shared/schemas/declarations.ts';
import { addClosure, listClosures, removeClosure } from '../programme/closures.ts';
import { cliActor, database, kebabFlag, parsedFlags, recordId, type Command, type Flags } from './command-line.ts';

/*
 * `santong closure add|list|remove`: school closures (holidays, winter breaks) the evidence windows skip.
 * The same domain functions and schemas as the API, so the command line refuses the same input with the
 * same words.
 */

const audit = (flags: Flags, sub: string) => ({ actor: cliActor(), reason: flags.reason ?? `closure ${sub}` });

export const closureAdd: Command = ({ flags, now, say }) => {
  const db = database(flags);
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
  const added = addClosure(db, closure, now, { ...audit(flags, 'add'), reason });
  say(`closure #${added.id} "${added.name}" ${added.startsOn}…${added.endsOn} (${added.countyCode ?? 'every county'})`);
  return 0;
};

export const closureList: Command = ({ flags, say }) => {
  for (const c of listClosures(database(flags)))
    say(`#${c.id} ${c.startsOn}…${c.endsOn} ${c.countyCode ?? 'all'} ${c.name}`);
  return 0;
};

export const closureRemove: Command = ({ flags, now, say }) => {
  const db = database(flags);
  removeClosure(db, recordId(flags), now, audit(flags, 'remove'));
  say(`closure #${flags.id} removed`);
  return 0;
};
