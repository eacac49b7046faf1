import type { Db } from './client.ts';
import { perConnection } from './per-connection.ts';
import { cacheAt, keepAnswer } from './read-cache.ts';

/*
 * The read cache (read-cache.ts) for code still on the SQLite connection (issue 14): the same cache, since on
 * SQLite the store keys it by this very connection. Goes when the last caller is on the store.
 */
const versionOf = perConnection((sqlite) =>
  sqlite.prepare<[], number>('select version from read_model_version where id = 1').pluck(),
);

/** readCached for a caller still on the connection. */
export function readCachedOnConnection<T>(db: Db, key: string, build: () => T): T {
  const cache = cacheAt(db, versionOf(db).get());
  if (!cache) return build();
  if (cache.values.has(key)) return cache.values.get(key) as T;
  const value = build();
  cache.values.set(key, value);
  return value;
}

/** readCachedAnswer for a caller still on the connection. */
export function readCachedAnswerOnConnection<T>(
  db: Db,
  key: string,
  stillGood: (answer: T) => boolean,
  build: () => T,
): T {
  const kept = cacheAt(db, versionOf(db).get())?.answers.get(key) as T | undefined;
  if (kept !== undefined && stillGood(kept)) return kept;
  const answer = build();
  const cache = cacheAt(db, versionOf(db).get());
  if (cache) keepAnswer(cache, key, answer);
  return answer;
}
