import { closureRequestSchema } from '../../shared/schemas/declarations.ts';
import { DomainError } from '../errors.ts';
import { addClosure, listClosures, removeClosure } from '../programme/closures.ts';
import { cliActor, database, parsedFlags, type Command, type Flags } from './command-line.ts';

/*
 * `santong closure add|list|remove`: school closures (holidays, winter breaks) the evidence windows skip.
 * The same domain functions and schemas as the API, so the command line refuses the same input with the
 * same words.
 */

/** A schema field as the flag that carries it: countyCode → --county-code. */
export const kebabFlag = (path: string) => `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The `--id` of a programme record. */
export function recordId(flags: Flags): number {
  if (!flags.id || !/^\d+$/.test(flags.id)) throw new DomainError('invalid', 'invalid_input', '--id takes a number');
  return Number(flags.id);
}

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
