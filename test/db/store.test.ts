import { count, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, statement, TransactionAwaitedError, type Store } from '../../server/db/store.ts';
import { isDatabaseUnavailable } from '../../server/db/unavailable.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { openSqliteTestStore } from '../helpers/stores.ts';

/*
 * The one data-access layer of issue 14 (decision 180), held to the same contract on a real SQLite file and a
 * real PostgreSQL server: the same code reads and writes through `store.q` and `store.t`, a transaction is
 * all or nothing, a nested one is a savepoint that rolls back alone.
 */
const postgres = usePostgres();
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const urls = new WeakMap<Store, string>();
const urlOf = (store: Store) => urls.get(store)!;

const backends: Record<Store['dialect'], () => Promise<Store>> = {
  sqlite: () => openSqliteTestStore(closers),
  async postgres() {
    // As an operator gives it: a URL (here to the test server's socket directory).
    const { host, port, user, database } = await postgres().createDatabase();
    const databaseUrl = `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;
    const store = await openStore({ databaseUrl });
    urls.set(store, databaseUrl);
    closers.push(() => store.close());
    return store;
  },
};

/** Domain code as it is written against a Store: awaited queries, tables through `t`. */
async function addCounty(store: Store, code: string, name: string) {
  await store.q.insert(store.t.divisions).values({ code, name, level: 'county', parentCode: '622900' });
}
async function countyNames(store: Store): Promise<string[]> {
  const rows = await store.q
    .select({ name: store.t.divisions.name })
    .from(store.t.divisions)
    .where(eq(store.t.divisions.level, 'county'))
    .orderBy(store.t.divisions.code);
  return rows.map((r) => r.name);
}
async function countyCount(store: Store): Promise<number> {
  const [row] = await store.q
    .select({ n: count() })
    .from(store.t.divisions)
    .where(eq(store.t.divisions.level, 'county'));
  return Number(row!.n);
}

/** Raw statements as the hot paths write them (decision 186): `?` placeholders, quoted aliases. */
const insertCounty = statement<never, [string, string]>(
  `insert into divisions (code, name, level, parent_code) values (?, ?, 'county', '622900') on conflict (code) do nothing`,
);
const countiesNamed = statement<{ code: string; parentCode: string; n: number }, [string]>(
  `select code, parent_code as "parentCode", (select count(*) from divisions) as n from divisions where name like ? order by code`,
);
const terminateOthers = statement<{ ended: boolean }, []>(
  `select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`,
);
const renameCounty = statement<never, [string, string]>(`update divisions set name = ? where code = ?`);

describe.each(['sqlite', 'postgres'] as const)('the store on %s', (dialect) => {
  const open = backends[dialect];

  it('reads and writes through the builder both dialects share', async () => {
    const store = await open();
    expect(store.dialect).toBe(dialect);
    await addCounty(store, '622921', '临夏县');
    await addCounty(store, '622922', '康乐县');
    expect(await countyNames(store)).toEqual(['临夏县', '康乐县']);
    const [updated] = await store.q
      .update(store.t.divisions)
      .set({ name: '临夏县（新）' })
      .where(eq(store.t.divisions.code, '622921'))
      .returning({ code: store.t.divisions.code });
    expect(updated).toEqual({ code: '622921' });
  });

  it('commits a transaction whole, and leaves nothing of one that fails', async () => {
    const store = await open();
    await store.transaction(async (tx) => {
      await addCounty(tx, '622921', '临夏县');
      await addCounty(tx, '622922', '康乐县');
    });
    const failure = new Error('refused half-way');
    await expect(
      store.transaction(async (tx) => {
        await addCounty(tx, '622923', '永靖县');
        throw failure;
      }),
    ).rejects.toBe(failure);
    // A constraint the database enforces fails the transaction the same way.
    await expect(
      store.transaction(async (tx) => {
        await addCounty(tx, '622924', '广河县');
        await addCounty(tx, '622921', 'the same code again');
      }),
    ).rejects.toThrow();
    expect(await countyNames(store)).toEqual(['临夏县', '康乐县']);
  });

  it('runs raw statements alike: rows with their aliases, counts as numbers, changes counted', async () => {
    const store = await open();
    expect(await store.execute(insertCounty, '622921', '临夏县')).toBe(1);
    expect(await store.execute(insertCounty, '622921', 'again')).toBe(0); // on conflict do nothing
    await store.transaction(async (tx) => {
      await tx.execute(insertCounty, '622922', '康乐县');
      expect(await tx.execute(renameCounty, '康乐县（新）', '622922')).toBe(1);
    });
    expect(await store.rows(countiesNamed, '%县%')).toEqual([
      { code: '622921', parentCode: '622900', n: 2 },
      { code: '622922', parentCode: '622900', n: 2 },
    ]);
    expect(await store.row(countiesNamed, '%新%')).toEqual({ code: '622922', parentCode: '622900', n: 2 });
    expect(await store.row(countiesNamed, 'nothing')).toBeUndefined();
  });

  it('rolls a nested transaction back alone, keeping the outer one’s work', async () => {
    const store = await open();
    const kept = await store.transaction(async (tx) => {
      await addCounty(tx, '622921', '临夏县');
      await tx
        .transaction(async (inner) => {
          await addCounty(inner, '622922', '康乐县');
          throw new Error('inner refused');
        })
        .catch(() => {});
      await tx.transaction(async (inner) => addCounty(inner, '622923', '永靖县'));
      return countyCount(tx);
    });
    expect(kept).toBe(2);
    expect(await countyNames(store)).toEqual(['临夏县', '永靖县']);
  });
});

describe('the store on postgres', () => {
  it('carries on when the database ends its connections, as a restart does', async () => {
    const store = await backends.postgres();
    await addCounty(store, '622921', '临夏县');
    // Two connections in the store's pool, so one sits idle when the server ends them.
    await Promise.all([countyNames(store), countyNames(store), countyNames(store)]);
    const other = await openStore({ databaseUrl: urlOf(store) });
    closers.push(() => other.close());
    // Every other session of this database ended by the server, the store's idle ones among them.
    await other.rows(terminateOthers);
    // A query that meets a connection the server has just ended fails with an error that says the database is
    // unreachable: the server's own words (57P01), or the driver's when the socket closed first. It is answered 503
    // and retried by its client (decision 197; an agent keeps its outbox); the pool drops that connection, and the
    // next query runs on a new one. Nothing is left unheard to end the process.
    const failures: unknown[] = [];
    let names: string[] | undefined;
    for (let attempt = 0; attempt < 11 && !names; attempt++)
      names = await countyNames(store).catch((error: unknown) => {
        failures.push(error);
        return undefined;
      });
    expect(names).toEqual(['临夏县']);
    expect(failures.filter((error) => !isDatabaseUnavailable(error))).toEqual([]);
    // The idle connections' endings arrive on their own sockets; a few turns of the event loop let them land
    // while this test still runs, where an unheard one would fail it.
    for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
  });

  it('runs transactions as if alone: two that read and write the same row both count, one run again', async () => {
    const store = await backends.postgres();
    const other = await openStore({ databaseUrl: urlOf(store) });
    closers.push(() => other.close());
    await addCounty(store, '622921', '0');
    const names = statement<{ name: string }, [string]>(`select name from divisions where code = ?`);
    // Both read the same name before either writes: without SERIALIZABLE one increment would be lost.
    let read = 0;
    let bothRead!: () => void;
    const gate = new Promise<void>((resolve) => (bothRead = resolve));
    const increment = (s: Store) =>
      s.transaction(async (tx) => {
        const { name } = (await tx.row(names, '622921'))!;
        if (++read === 2) bothRead();
        await gate;
        await tx.execute(renameCounty, String(Number(name) + 1), '622921');
      });
    await Promise.all([increment(store), increment(other)]);
    expect((await store.row(names, '622921'))!.name).toBe('2');
    expect(read).toBeGreaterThan(2); // the loser read again
  });
});

describe('the store on sqlite', () => {
  it('lets transactions begun among each other’s awaits take turns on the one connection', async () => {
    const store = await backends.sqlite();
    // Begun in one turn of the event loop, as requests' code resuming among each other's awaits can be: without
    // turns, the second BEGIN fails ("cannot start a transaction within a transaction").
    const codes = ['622921', '622922', '622923', '622924'];
    await Promise.all(codes.map((code) => store.transaction(async (tx) => addCounty(tx, code, `县${code}`))));
    expect(await countyCount(store)).toBe(4);
  });

  it('refuses a transaction that awaits anything but the database, and keeps none of it', async () => {
    const store = await backends.sqlite();
    await expect(
      store.transaction(async (tx) => {
        await addCounty(tx, '622921', '临夏县');
        await new Promise((resolve) => setTimeout(resolve, 1)); // the network, a file, a timer: anything else
      }),
    ).rejects.toBeInstanceOf(TransactionAwaitedError);
    expect(await countyCount(store)).toBe(0);
    // The connection is usable afterwards.
    await store.transaction(async (tx) => addCounty(tx, '622922', '康乐县'));
    expect(await countyNames(store)).toEqual(['康乐县']);
  });
});
