import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { readCoverage } from '../../server/coverage/read.ts';
import { DATABASE_FILE, openDatabaseFile } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';

/*
 * A stand-in for `GET /api/v1/coverage?division=CODE` while the API lacks the parameter: readCoverage for
 * one division, one page of 100 county rows, through a tiny Hono app over the run's working copy (WAL lets
 * it read beside the server). It measures the read and its JSON, not santong's middleware (auth, logging,
 * security headers), so its figure flatters the route by that much; the report says which was measured.
 *   node --import tsx bench/harness/division-app.ts DATA_DIR   → prints "listening PORT"
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const db = openDatabaseFile(`${process.argv[2]}/${DATABASE_FILE}`);
  const store = sqliteStore(db);
  const app = new Hono().get('/coverage', async (c) =>
    c.json(await readCoverage(store, c.req.query('division') ?? null, Date.now(), { page: 1, pageSize: 100 })),
  );
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
    process.stdout.write(`listening ${info.port}\n`),
  );
  process.on('disconnect', () => server.close(() => (db.$client.close(), process.exit(0))));
}
