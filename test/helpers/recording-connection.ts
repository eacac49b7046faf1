import type { Statement } from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import { openDatabase, type Db } from '../../server/db/client.ts';

/** A statement as a connection ran it: its SQL and the values it was run with. */
export interface Ran {
  source: string;
  args: unknown[];
}

/**
 * A second connection to the same data directory whose statements record what they run into `ran`
 * (wrapping better-sqlite3's own API, not ours), so a test can tell which statements a read ran. Closed when the
 * test that opened it finishes.
 */
export function recordingConnection(dataDir: string, ran: Ran[]): Db {
  const db = openDatabase(dataDir);
  onTestFinished(() => {
    db.$client.close();
  });
  const sqlite = db.$client;
  const prepare = sqlite.prepare.bind(sqlite);
  sqlite.prepare = ((source: string) => {
    const statement = prepare(source) as Statement<unknown[]>;
    for (const method of ['get', 'all', 'run', 'iterate'] as const) {
      const original = statement[method].bind(statement) as (...args: unknown[]) => unknown;
      (statement as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
        ran.push({ source, args });
        return original(...args);
      };
    }
    return statement;
  }) as typeof sqlite.prepare;
  return db;
}
