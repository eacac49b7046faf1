import { expect } from 'vitest';
import { reportSchema } from '../../shared/schemas/report.ts';
import type { Store } from '../../server/db/store.ts';
import { enrollDevice } from '../../server/enrollment/enroll.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { ingestReports } from '../../server/ingest/reports.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { makeReport, projector } from './reports.ts';
import type { rosterRow } from './roster.ts';
import { byTest } from './server.ts';

const DAY = 86_400_000;

/**
 * A small world built through the store, for tests that hold code to one contract on either dialect: the shipped
 * reference data, `roster` (it must hold 6229210001 and 6229220001), and three PCs (two in 6229210001's classrooms 1
 * and 2 at 90 and 40 Mbps, one in 6229220001's classroom 1 at 120), each sending one report a day with a projector
 * for five days from `t0`, its speed rising a megabit a day.
 */
export async function reportingWorld(store: Store, t0: number, roster: ReturnType<typeof rosterRow>[]): Promise<void> {
  await ensureReferenceData(store, t0);
  expect((await importSchools(store, roster, t0, byTest)).errors).toEqual([]);
  const pcs = [
    ['6229210001', '1', 90],
    ['6229210001', '2', 40],
    ['6229220001', '1', 120],
  ] as const;
  for (const [schoolCode, classroom, downMbps] of pcs) {
    const { token } = await createEnrollmentToken(store, { schoolCode, expiresAt: null, maxUses: null }, t0, byTest);
    const hardware = { uuid: crypto.randomUUID() };
    const { deviceId } = await enrollDevice(store, { token, hostname: `pc-${classroom}`, hardware, classroom }, t0);
    for (let day = 0; day < 5; day++) {
      const at = t0 + day * DAY + 1;
      const report = reportSchema.parse(makeReport({ at, downMbps: downMbps + day, displays: [projector] }));
      expect((await ingestReports(store, { id: deviceId, schoolCode }, [report], at)).accepted).toBe(1);
    }
  }
}
