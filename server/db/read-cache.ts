import { statement, type Store } from './store.ts';

/*
 * Coverage answers are built from the county rollups, the division tree, the plan, declared teacher
 * spaces and the platform registry. Those change only when a figure changes, so what a read builds from
 * them is kept until `read_model_version` moves: migration 0009's triggers (and their PostgreSQL twins) move
 * it on every such change, from any connection: the CLI, the worker thread and, on PostgreSQL, every other
 * server process. A read then costs one primary-key lookup instead of re-reading every county, school and
 * platform: the same for a prefecture's 8 counties and a country's 2,858. Anything that depends on the time
 * of the read (progress against the milestones, a probe's freshness, asOf) is computed per read from the
 * cached parts, never cached. Cached values are shared between reads: callers must treat them as read-only.
 */
const readModelVersion = statement<{ version: number }, []>('select version from read_model_version where id = 1');

/** What one connection keeps: values and whole answers, valid at read-model version `seen`. */
interface ReadCache {
  seen: number;
  values: Map<string, unknown>;
  answers: Map<string, unknown>;
}

/*
 * One cache per connection, keyed by the store's query builder: on SQLite that is the connection itself, the
 * same object at every transaction depth; on PostgreSQL the pool's, while a transaction, on a connection of its
 * own, starts empty and is dropped with it.
 */
const caches = new WeakMap<object, ReadCache>();

// Whole answers are keyed by what a client asks (division, page, page size), so their number is the client's to
// choose: the oldest is dropped beyond this many (a national answer is ~20 KiB; one with 1,000 county rows ~650 KiB).
const ANSWERS_KEPT = 32;

/** The cache of `connection`, emptied first when the read-model version moved; undefined when there is no version row. */
function cacheAt(connection: object, version: number | undefined): ReadCache | undefined {
  // Without its row (never so after migration 0009) nothing could tell a cached value stale.
  if (version === undefined) return undefined;
  let cache = caches.get(connection);
  if (!cache) caches.set(connection, (cache = { seen: version, values: new Map(), answers: new Map() }));
  if (version !== cache.seen) {
    cache.values.clear();
    cache.answers.clear();
    cache.seen = version;
  }
  return cache;
}

/** Keeps `answer` under `key`, dropping the oldest answer beyond ANSWERS_KEPT. */
function keepAnswer(cache: ReadCache, key: string, answer: unknown): void {
  cache.answers.delete(key);
  if (cache.answers.size >= ANSWERS_KEPT) cache.answers.delete(cache.answers.keys().next().value!);
  cache.answers.set(key, answer);
}

async function currentCache(store: Store): Promise<ReadCache | undefined> {
  return cacheAt(store.q, (await store.row(readModelVersion))?.version);
}

/** `build()`'s value, built once per read-model version and key. */
export async function readCached<T>(store: Store, key: string, build: () => Promise<T>): Promise<T> {
  const cache = await currentCache(store);
  if (!cache) return build();
  if (cache.values.has(key)) return cache.values.get(key) as T;
  const value = await build();
  cache.values.set(key, value);
  return value;
}

/**
 * A whole answer, reused while `stillGood` accepts it (answers also depend on the time of the read: decision 163)
 * and the read-model version stays; at most ANSWERS_KEPT of them per connection. The version it is kept under is
 * read after `build()`, so writes of the build itself (a read's sweep) are already in it.
 */
export async function readCachedAnswer<T>(
  store: Store,
  key: string,
  stillGood: (answer: T) => boolean,
  build: () => Promise<T>,
): Promise<T> {
  const kept = (await currentCache(store))?.answers.get(key) as T | undefined;
  if (kept !== undefined && stillGood(kept)) return kept;
  const answer = await build();
  const cache = await currentCache(store);
  if (cache) keepAnswer(cache, key, answer);
  return answer;
}
