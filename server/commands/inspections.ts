import { inspectionDrawSchema } from '../../shared/schemas/inspections.ts';
import { sweepExpiredOnConnection } from '../coverage/evaluate-on-connection.ts';
import { readChecklist } from '../programme/inspection-checklist.ts';
import { drawInspection } from '../programme/inspections.ts';
import { InspectionChecklist } from '../views/inspection-checklist.tsx';
import { cliActor, database, kebabFlag, parsedFlags, recordId, type Command, type Flags } from './command-line.ts';

/*
 * `santong inspection sample|checklist`: spot checks (检查验收). The checklist is the same view the
 * dashboard links, printed as one HTML document; rendering it is the edge's work, not the domain's.
 */

const audit = (flags: Flags, sub: string) => ({ actor: cliActor(), reason: flags.reason ?? `inspection ${sub}` });

export const inspectionSample: Command = async ({ flags, now, say }) => {
  const db = await database(flags);
  const input = parsedFlags(
    inspectionDrawSchema,
    { perCounty: flags['per-county'] === undefined ? undefined : Number(flags['per-county']), seed: flags.seed },
    kebabFlag,
  );
  sweepExpiredOnConnection(db, now);
  const inspection = drawInspection(db, input, now, {
    ...audit(flags, 'sample'),
    reason: flags.reason ?? `inspection drawn with seed ${input.seed}`,
  });
  say(`inspection #${inspection.id} (seed ${inspection.seed}, ${inspection.perCounty} per county):`);
  for (const s of inspection.schools) say(`${s.countyCode} ${s.schoolCode} ${s.name} [${s.stratum}]`);
  return 0;
};

export const inspectionChecklist: Command = async ({ flags, now, say }) => {
  const db = await database(flags);
  sweepExpiredOnConnection(db, now);
  say(`<!doctype html>${InspectionChecklist(readChecklist(db, recordId(flags), null, now))}`);
  return 0;
};
