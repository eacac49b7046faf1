import { inspectionDrawSchema } from '../../shared/schemas/inspections.ts';
import { sweepExpired } from '../coverage/evaluate.ts';
import { readChecklist } from '../programme/inspection-checklist.ts';
import { drawInspection } from '../programme/inspections.ts';
import { InspectionChecklist } from '../views/inspection-checklist.tsx';
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
 * `santong inspection sample|checklist`: spot checks (检查验收). The checklist is the same view the
 * dashboard links, printed as one HTML document; rendering it is the edge's work, not the domain's.
 */

const audit = (flags: Flags, sub: string) => ({ actor: cliActor(), reason: flags.reason ?? `inspection ${sub}` });

export const inspectionSample: Command = async ({ flags, now, say }) => {
  const input = parsedFlags(
    inspectionDrawSchema,
    { perCounty: flags['per-county'] === undefined ? undefined : Number(flags['per-county']), seed: flags.seed },
    kebabFlag,
  );
  const inspection = await withCommandStore(flags, async (store) => {
    await sweepExpired(store, now);
    return drawInspection(store, input, now, {
      ...audit(flags, 'sample'),
      reason: flags.reason ?? `inspection drawn with seed ${input.seed}`,
    });
  });
  say(`inspection #${inspection.id} (seed ${inspection.seed}, ${inspection.perCounty} per county):`);
  for (const s of inspection.schools) say(`${s.countyCode} ${s.schoolCode} ${s.name} [${s.stratum}]`);
  return 0;
};

export const inspectionChecklist: Command = async ({ flags, now, say }) => {
  const id = recordId(flags);
  const checklist = await withCommandStore(flags, async (store) => {
    await sweepExpired(store, now);
    return readChecklist(store, id, null, now);
  });
  say(`<!doctype html>${InspectionChecklist(checklist)}`);
  return 0;
};
