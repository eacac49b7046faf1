import { describe, expect, it } from 'vitest';
import { tryJobLock } from '../../server/db/dialect.ts';
import type { Store } from '../../server/db/store.ts';
import { currentPlan, PlanError } from '../../server/plan/current.ts';
import { parsePlanFile } from '../../server/plan/plan.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { waitFor } from '../helpers/wait-for.ts';

/*
 * Two stores on one database, as two santong servers share one PostgreSQL (issue 14 item 2), held to the same
 * contract on SQLite (two connections to one file): a read cached by one sees a write by the other, and a
 * scheduled job's run is taken by one of them at a time (decision 188).
 */

/** Two stores on one new database of the dialect. */
const open = useEachDialect();

const { plan: linxia } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));

async function importPlan(store: Store, name: string, at: number) {
  await store.q.insert(store.t.plans).values({ document: { ...linxia!, name }, importedAt: at, source: 'test' });
}

describe.each(['sqlite', 'postgres'] as const)('two stores on one %s database', (dialect) => {
  it('read the plan in force through the read cache, and each sees a plan the other imports', async () => {
    const [server1, server2] = await open.twoServers(dialect);
    await expect(currentPlan(server1)).rejects.toThrow(PlanError);
    await importPlan(server2, 'first', 1);
    // Another server's commit reaches server1's cache with its notice, about a millisecond later on PostgreSQL
    // (decision 199); on SQLite, with the next read.
    await waitFor(async () => (await currentPlan(server1).catch(() => undefined))?.name === 'first', 'the first plan');
    expect((await currentPlan(server1)).name).toBe('first'); // from the cache
    await importPlan(server2, 'second', 2);
    // server1's cached plan is dropped when the notice of server2's write arrives, not served stale after it.
    await waitFor(async () => (await currentPlan(server1)).name === 'second', 'server1 to see the second plan');
    expect((await currentPlan(server2)).name).toBe('second'); // its own commit: at once
  });
});

describe('scheduled jobs on two servers sharing PostgreSQL', () => {
  it('run on one server at a time: the other is refused the job lock while the first holds it', async () => {
    const [server1, server2] = await open.twoServers('postgres');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let taken!: () => void;
    const held = new Promise<void>((resolve) => (taken = resolve));
    const ran: string[] = [];
    const runAging = (store: Store, name: string, hold: boolean) =>
      store.transaction(async (tx) => {
        if (!(await tryJobLock(tx, 'aging'))) return;
        ran.push(name);
        taken();
        // A test only: the first run holds its transaction open until the second has tried (on PostgreSQL a
        // transaction may wait; domain code never does).
        if (hold) await released;
      });

    const first = runAging(server1, 'server1', true);
    await held;
    await runAging(server2, 'server2', false);
    // Another job's lock is not this one's.
    expect(await server2.transaction((tx) => tryJobLock(tx, 'retention'))).toBe(true);
    release();
    await first;
    expect(ran).toEqual(['server1']);
    // The lock ends with the transaction that took it: the next run, on either server, goes ahead.
    await runAging(server2, 'server2', false);
    expect(ran).toEqual(['server1', 'server2']);
  });
});

describe('scheduled jobs on SQLite', () => {
  it('always go ahead: one server owns the database', async () => {
    const store = await open('sqlite');
    expect(await store.transaction((tx) => tryJobLock(tx, 'aging'))).toBe(true);
  });
});
