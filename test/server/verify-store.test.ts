import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import type { Store } from '../../server/db/store.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { rosterRow } from '../helpers/roster.ts';
import { reportingWorld } from '../helpers/store-world.ts';
import { byTest } from '../helpers/server.ts';

/*
 * `santong verify` through the store (issue 14): the incrementally kept figures of a small world, built by the
 * roster import, enrolment and ingest on the store, equal a recomputation from the raw reports on SQLite and on a
 * real PostgreSQL alike, and a rollup corrupted behind the server's back is named on both.
 */
const open = useEachDialect();
const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');

/** Two counties' schools, three PCs (one in each classroom of the first school), five days of reports each. */
async function smallWorld(store: Store): Promise<void> {
  await reportingWorld(store, T0, [rosterRow(2, '6229210001', '622921'), rosterRow(3, '6229220001', '622922')]);
}

// PostgreSQL first: the SQLite run gives the pool's sockets time to close before the server stops (ingest-store).
describe.each(['postgres', 'sqlite'] as const)('santong verify on %s', (dialect) => {
  it('finds the figures of enrolment and ingest equal to a recomputation, then as time passes', async () => {
    const store = await open(dialect);
    await smallWorld(store);
    const now = T0 + 5 * DAY;
    const result = await verifyCoverage(store, now);
    expect(result.differences).toEqual([]);
    expect(result.checked).toMatchObject({ schools: 2, classrooms: 4, devices: 3 });
    for (const days of [10, 31, 60])
      expect((await verifyCoverage(store, now + days * DAY)).differences, `${days} days later`).toEqual([]);
  });

  it('names a rollup row corrupted behind the server’s back', async () => {
    const store = await open(dialect);
    await smallWorld(store);
    const { divisionRollups } = store.t;
    const county = eq(divisionRollups.divisionCode, '622922');
    const [stored] = await store.q.select().from(divisionRollups).where(county);
    expect(stored!.schoolsConnected).toBe(1);
    await store.q.update(divisionRollups).set({ schoolsConnected: 2 }).where(county);
    expect((await verifyCoverage(store, T0 + 5 * DAY)).differences).toEqual([
      'county 622922 schoolsConnected: stored 2, recomputed 1',
    ]);
  });
});
