import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { readCached } from '../../server/db/read-cache.ts';
import type { Store } from '../../server/db/store.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { waitFor } from '../helpers/wait-for.ts';

/*
 * On PostgreSQL the read cache learns of changes by notice, not from a version row every writer updated
 * (decision 199): a server sees its own commits at once, another server's as soon as the notice arrives, and keeps
 * nothing while it cannot hear notices. Two stores on one database stand for two santong servers.
 */

const dialects = useEachDialect();

let added = 0;
/** A county added to the division tree: a change coverage reads depend on. */
const addCounty = (store: Store) =>
  store.q
    .insert(store.t.divisions)
    .values({ code: `6299${String(++added).padStart(2, '0')}`, name: `县${added}`, level: 'county' });

/** A cached read on `store` that counts its builds. */
function countedRead(store: Store) {
  let builds = 0;
  return {
    read: () => readCached(store, 'counted', async () => ++builds),
    builds: () => builds,
  };
}

describe('the read cache on PostgreSQL', () => {
  it('is dropped at once on the server that commits a change, and soon on another', async () => {
    const [here, there] = await dialects.twoServers('postgres');
    await waitFor(async () => (await here.readCacheAt()) !== undefined, 'the server listens', 10_000);
    const cached = countedRead(here);
    await cached.read();
    await cached.read();
    expect(cached.builds()).toBe(1);

    // This server's own commit: no waiting for the notice.
    await here.transaction(async (tx) => void (await addCounty(tx)));
    expect(await cached.read()).toBe(2);

    // A transaction that changes nothing coverage reads from leaves the cache alone.
    await here.transaction(async (tx) => void (await tx.q.select().from(tx.t.divisions)));
    expect(await cached.read()).toBe(2);

    // Another server's commit, in a transaction or alone: its notice reaches this one.
    await there.transaction(async (tx) => void (await addCounty(tx)));
    await waitFor(async () => (await cached.read()) === 3, 'the other server’s transaction is seen', 10_000);
    await addCounty(there);
    await waitFor(async () => (await cached.read()) === 4, 'the other server’s single write is seen', 10_000);
  });

  it('lets a transaction that changed nothing use what the server kept, but keeps nothing built from its snapshot', async () => {
    const [store] = await dialects.twoServers('postgres');
    await waitFor(async () => (await store.readCacheAt()) !== undefined, 'the server listens', 10_000);
    const kept = countedRead(store);
    expect(await kept.read()).toBe(1);
    let built = 0;
    const other = (s: Store) => readCached(s, 'other', async () => ++built);
    await store.transaction(async (tx) => {
      // The server's value: the transaction's own counter never builds.
      const inTransaction = countedRead(tx);
      expect(await inTransaction.read()).toBe(1);
      expect(inTransaction.builds()).toBe(0);
      expect(await other(tx)).toBe(1);
      expect(await other(tx)).toBe(2);
    });
    expect(await other(store)).toBe(3);
    expect(await other(store)).toBe(3);
    expect(kept.builds()).toBe(1);
  });

  it('sees, inside a transaction, the changes the transaction made', async () => {
    const [store] = await dialects.twoServers('postgres');
    await store.transaction(async (tx) => {
      // Once it changed the read model, the transaction keeps a cache of its own, dropped at each change it makes.
      await addCounty(tx);
      const cached = countedRead(tx);
      expect(await cached.read()).toBe(1);
      expect(await cached.read()).toBe(1);
      await addCounty(tx);
      expect(await cached.read()).toBe(2);
      expect(await cached.read()).toBe(2);
      await addCounty(tx);
      expect(await cached.read()).toBe(3);
    });
  });

  it('keeps nothing while it cannot hear notices, and drops what it kept once it hears again', async () => {
    const [here, there] = await dialects.twoServers('postgres');
    await waitFor(async () => (await here.readCacheAt()) !== undefined, 'the server listens', 10_000);
    const cached = countedRead(here);
    await cached.read();
    expect(await cached.read()).toBe(1);

    // The database ends the listening session (a restart, an administrator): changes made meanwhile send notices
    // to nobody.
    const { rows } = await (there.q as unknown as { $client: pg.Pool }).$client.query(
      `select pg_terminate_backend(pid) as ended from pg_stat_activity
       where datname = current_database() and query like 'LISTEN%' and pid <> pg_backend_pid()`,
    );
    expect(rows).toEqual([{ ended: true }]);
    await waitFor(async () => (await here.readCacheAt()) === undefined, 'the server knows it is not listening', 10_000);
    await addCounty(there);
    // Not listening: every read builds.
    expect(await cached.read()).toBe(2);
    expect(await cached.read()).toBe(3);

    await waitFor(async () => (await here.readCacheAt()) !== undefined, 'the server listens again', 10_000);
    expect(await cached.read()).toBe(4);
    expect(await cached.read()).toBe(4);
  });
});
