import type { AuditSource } from '../audit/audit.ts';
import { sweepExpired } from '../coverage/evaluate.ts';
import type { Db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { describeIssues } from '../http/validate.ts';
import { closureRequestSchema, declarationRequestSchema } from '../../shared/schemas/declarations.ts';
import { inspectionDrawSchema } from '../../shared/schemas/inspections.ts';
import { InspectionChecklist } from '../views/inspection-checklist.tsx';
import { addClosure, listClosures, removeClosure } from './closures.ts';
import { declareStatus, listDeclarations, withdrawDeclaration } from './declarations.ts';
import { readChecklist } from './inspection-checklist.ts';
import { drawInspection } from './inspections.ts';
import type { z } from 'zod';

/*
 * `santong closure|declaration|inspection …`: the same domain functions and schemas as the API, so the
 * command line refuses the same input with the same words. Each returns the lines to print.
 */
type Flags = Record<string, string | undefined>;

function parsed<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const flag = (path: string) => `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  throw new DomainError(
    'invalid',
    'invalid_input',
    describeIssues(result.error)
      .map((i) => `${flag(i.path)}: ${i.message}`)
      .join('\n'),
  );
}

const id = (flags: Flags) => {
  if (!flags.id || !/^\d+$/.test(flags.id)) throw new DomainError('invalid', 'invalid_input', '--id takes a number');
  return Number(flags.id);
};

/** Runs one programme command; unknown subcommands are a usage error for the caller to show. */
export function runProgrammeCommand(
  db: Db,
  command: string,
  sub: string | undefined,
  flags: Flags,
  audit: AuditSource,
  now: number,
): string[] | null {
  switch (`${command} ${sub ?? ''}`) {
    case 'closure add': {
      const { reason, ...closure } = parsed(closureRequestSchema, {
        name: flags.name,
        countyCode: flags.county,
        startsOn: flags.from,
        endsOn: flags.to,
        reason: flags.reason ?? audit.reason,
      });
      const added = addClosure(db, closure, now, { ...audit, reason });
      return [
        `closure #${added.id} "${added.name}" ${added.startsOn}…${added.endsOn} (${added.countyCode ?? 'every county'})`,
      ];
    }
    case 'closure list':
      return listClosures(db).map((c) => `#${c.id} ${c.startsOn}…${c.endsOn} ${c.countyCode ?? 'all'} ${c.name}`);
    case 'closure remove':
      removeClosure(db, id(flags), now, audit);
      return [`closure #${flags.id} removed`];
    case 'declaration add': {
      const request = parsed(declarationRequestSchema, {
        schoolCode: flags.school,
        indicator: flags.indicator,
        classroomCode: flags.classroom,
        reason: flags.reason ?? '',
      });
      const d = declareStatus(db, request, now, { ...audit, reason: request.reason }, null);
      return [
        `declaration #${d.id}: ${d.schoolCode} ${d.indicator}${d.classroomCode ? ` classroom ${d.classroomCode}` : ''} (declared, never counted as measured)`,
      ];
    }
    case 'declaration withdraw':
      withdrawDeclaration(db, id(flags), now, audit, null);
      return [`declaration #${flags.id} withdrawn`];
    case 'declaration list':
      return listDeclarations(db, { countyScope: flags.county ?? null, status: 'active' }, now).map(
        (d) =>
          `#${d.id} ${d.schoolCode} ${d.indicator}${d.classroomCode ? `/${d.classroomCode}` : ''} by ${d.declaredBy}${d.measured ? ' (now measured too)' : ''}${d.conflict ? ' CONFLICT: evidence says no internet' : ''}`,
      );
    case 'inspection sample': {
      const input = parsed(inspectionDrawSchema, {
        perCounty: flags['per-county'] === undefined ? undefined : Number(flags['per-county']),
        seed: flags.seed,
      });
      sweepExpired(db, now);
      const inspection = drawInspection(db, input, now, {
        ...audit,
        reason: flags.reason ?? `inspection drawn with seed ${input.seed}`,
      });
      return [
        `inspection #${inspection.id} (seed ${inspection.seed}, ${inspection.perCounty} per county):`,
        ...inspection.schools.map((s) => `${s.countyCode} ${s.schoolCode} ${s.name} [${s.stratum}]`),
      ];
    }
    case 'inspection checklist': {
      sweepExpired(db, now);
      return [`<!doctype html>${InspectionChecklist(readChecklist(db, id(flags), null, now))}`];
    }
    default:
      return null;
  }
}
