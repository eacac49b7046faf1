import type { ReadCacheAt, ReadModelVersion, Store } from './store.ts';

/*
 * Coverage answers are built from the county rollups, the division tree, the plan, declared teacher
 * spaces and the platform registry. Those change only when a figure changes, so what a read builds from
 * them is kept until the store's read-model version moves: on SQLite, migration 0009's triggers move a version
 * row on every such change, from any connection (the CLI, the worker thread); on PostgreSQL the same triggers
 * notify every server process (decision 199). A read then costs at most one primary-key lookup instead of
 * re-reading every county, school and platform: the same for a prefecture's 8 counties and a country's 2,858.
 * Anything that depends on the time of the read (progress against the milestones, a probe's freshness, asOf) is
 * computed per read from the cached parts, never cached. Cached values are shared between reads: callers must
 * treat them as read-only.
 *
 * A value is kept only if the version is the same after it was built as before: a change committed while it was
 * being built (seen by part of it, or by none) then leaves it unkept, never kept under a version it is not of.
 */

/** What one connection keeps: values and whole answers, valid at read-model version `seen`. */
interface ReadCache {
  seen: ReadModelVersion;
  values: Map<string, unknown>;
  answers: Map<string, unknown>;
}

/* One cache per place a store names (Store.readCacheAt): a SQLite connection, a PostgreSQL pool, a transaction. */
const caches = new WeakMap<object, ReadCache>();

// Whole answers are keyed by what a client asks (division, page, page size), so their number is the client's to
// choose: the oldest is dropped beyond this many (a national answer is ~20 KiB; one with 1,000 county rows ~650 KiB).
const ANSWERS_KEPT = 32;

/** The cache at `at`, emptied first when the version moved; undefined when there is none. */
function cacheAt(at: ReadCacheAt | undefined): ReadCache | undefined {
  // Without a version (PostgreSQL while not listening) nothing could tell a cached value stale.
  if (at === undefined) return undefined;
  let cache = caches.get(at.place);
  if (!cache) caches.set(at.place, (cache = { seen: at.version, values: new Map(), answers: new Map() }));
  if (at.version !== cache.seen) {
    cache.values.clear();
    cache.answers.clear();
    cache.seen = at.version;
  }
  return cache;
}

/** Keeps `answer` under `key`, dropping the oldest answer beyond ANSWERS_KEPT. */
function keepAnswer(cache: ReadCache, key: string, answer: unknown): void {
  cache.answers.delete(key);
  if (cache.answers.size >= ANSWERS_KEPT) cache.answers.delete(cache.answers.keys().next().value!);
  cache.answers.set(key, answer);
}

/** The cache at the version a build began at, and that version. */
async function begin(store: Store): Promise<{ cache: ReadCache; at: ReadCacheAt } | undefined> {
  const at = await store.readCacheAt();
  const cache = cacheAt(at);
  return cache && { cache, at: at! };
}

/** The cache what a build begun at `begun` may go into: its own, if it keeps builds and the version has not moved. */
async function stillCurrent(store: Store, begun: { cache: ReadCache; at: ReadCacheAt } | undefined) {
  if (!begun?.at.keeps) return undefined;
  const now = await store.readCacheAt();
  return now?.place === begun.at.place && now.version === begun.at.version && begun.cache.seen === begun.at.version
    ? begun.cache
    : undefined;
}

/** `build()`'s value, built once per read-model version and key. */
export async function readCached<T>(store: Store, key: string, build: () => Promise<T>): Promise<T> {
  const begun = await begin(store);
  if (begun?.cache.values.has(key)) return begun.cache.values.get(key) as T;
  const value = await build();
  (await stillCurrent(store, begun))?.values.set(key, value);
  return value;
}

/**
 * A whole answer, reused while `stillGood` accepts it (answers also depend on the time of the read: decision 163)
 * and the read-model version stays; at most ANSWERS_KEPT of them per connection. An answer whose build wrote to the
 * read model (a read's sweep) is not kept; the next read, with nothing left to sweep, keeps its own.
 */
export async function readCachedAnswer<T>(
  store: Store,
  key: string,
  stillGood: (answer: T) => boolean,
  build: () => Promise<T>,
): Promise<T> {
  const begun = await begin(store);
  const kept = begun?.cache.answers.get(key) as T | undefined;
  if (kept !== undefined && stillGood(kept)) return kept;
  const answer = await build();
  const current = await stillCurrent(store, begun);
  if (current) keepAnswer(current, key, answer);
  return answer;
}
