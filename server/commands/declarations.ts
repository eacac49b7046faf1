import { declarationRequestSchema } from '../../shared/schemas/declarations.ts';
import { declareStatus, listDeclarations, withdrawDeclaration } from '../programme/declarations.ts';
import { cliActor, database, kebabFlag, parsedFlags, recordId, type Command, type Flags } from './command-line.ts';

/*
 * `santong declaration add|withdraw|list`: a school's status declared by a person, shown beside the
 * measured figures and never counted as measured. Same domain functions and schemas as the API.
 */

const audit = (flags: Flags, sub: string) => ({ actor: cliActor(), reason: flags.reason ?? `declaration ${sub}` });

export const declarationAdd: Command = async ({ flags, now, say }) => {
  const db = await database(flags);
  const request = parsedFlags(
    declarationRequestSchema,
    {
      schoolCode: flags.school,
      indicator: flags.indicator,
      classroomCode: flags.classroom,
      reason: flags.reason ?? '',
    },
    kebabFlag,
  );
  const d = declareStatus(db, request, now, { ...audit(flags, 'add'), reason: request.reason }, null);
  say(
    `declaration #${d.id}: ${d.schoolCode} ${d.indicator}${d.classroomCode ? ` classroom ${d.classroomCode}` : ''} (declared, never counted as measured)`,
  );
  return 0;
};

export const declarationWithdraw: Command = async ({ flags, now, say }) => {
  const db = await database(flags);
  withdrawDeclaration(db, recordId(flags), now, audit(flags, 'withdraw'), null);
  say(`declaration #${flags.id} withdrawn`);
  return 0;
};

export const declarationList: Command = async ({ flags, now, say }) => {
  const declarations = listDeclarations(
    await database(flags),
    { countyScope: flags.county ?? null, status: 'active' },
    now,
  );
  for (const d of declarations)
    say(
      `#${d.id} ${d.schoolCode} ${d.indicator}${d.classroomCode ? `/${d.classroomCode}` : ''} by ${d.declaredBy}${d.measured ? ' (now measured too)' : ''}${d.conflict ? ' CONFLICT: evidence says no internet' : ''}`,
    );
  return 0;
};
