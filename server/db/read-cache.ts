import { perConnection } from './per-connection.ts';
import type { Db } from './client.ts';

/*
 * Coverage answers are built from the county rollups, the division tree, the plan, declared teacher
 * spaces and the platform registry. Those change only when a figure changes, so what a read builds from
 * them is kept until `read_model_version` moves: migration 0009's triggers move it on every such change,
 * from any connection (the CLI and the worker thread included). A read then costs one primary-key
 * lookup instead of re-reading every county, school and platform: the same for a prefecture's 8
 * counties and a country's 2,858. Anything that depends on the time of the read (progress against the
 * milestones, a probe's freshness, asOf) is computed per read from the cached parts, never cached.
 * Cached values are shared between reads: callers must treat them as read-only.
 */
const cacheOf = perConnection((sqlite) => ({
  version: sqlite.prepare<[], number>('select version from read_model_version where id = 1').pluck(),
  seen: -1,
  values: new Map<string, unknown>(),
  answers: new Map<string, unknown>(),
}));

// Whole answers are keyed by what a client asks (division, page, page size), so their number is the client's to
// choose: the oldest is dropped beyond this many (a national answer is ~20 KiB; one with 1,000 county rows ~650 KiB).
const ANSWERS_KEPT = 32;

/** The connection's cache, emptied first when the read-model version moved; undefined when there is no version row. */
function currentCache(db: Db) {
  const cache = cacheOf(db);
  const version = cache.version.get();
  // Without its row (never so after migration 0009) nothing could tell a cached value stale.
  if (version === undefined) return undefined;
  if (version !== cache.seen) {
    cache.values.clear();
    cache.answers.clear();
    cache.seen = version;
  }
  return cache;
}

/** `build()`'s value, built once per read-model version and key. */
export function readCached<T>(db: Db, key: string, build: () => T): T {
  const cache = currentCache(db);
  if (!cache) return build();
  if (cache.values.has(key)) return cache.values.get(key) as T;
  const value = build();
  cache.values.set(key, value);
  return value;
}

/**
 * A whole answer, reused while `stillGood` accepts it (answers also depend on the time of the read: decision 163)
 * and the read-model version stays; at most ANSWERS_KEPT of them per connection. The version it is kept under is
 * read after `build()`, so writes of the build itself (a read's sweep) are already in it.
 */
export function readCachedAnswer<T>(db: Db, key: string, stillGood: (answer: T) => boolean, build: () => T): T {
  const kept = currentCache(db)?.answers.get(key) as T | undefined;
  if (kept !== undefined && stillGood(kept)) return kept;
  const answer = build();
  const cache = currentCache(db);
  if (!cache) return answer;
  cache.answers.delete(key);
  if (cache.answers.size >= ANSWERS_KEPT) cache.answers.delete(cache.answers.keys().next().value!);
  cache.answers.set(key, answer);
  return answer;
}
