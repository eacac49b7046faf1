import { serve } from '@hono/node-server';
import { Hono } from 'hono';

/*
 * The ceiling (issue 15): a bare Hono app on @hono/node-server answering a constant 20-byte body, no
 * middleware, no database. Loaded by the same client with the same connections as santong, its request
 * rate is what this machine's loopback, node and Hono allow at all; every read is reported as a share of it.
 *   node --import tsx bench/harness/ceiling-app.ts   → prints "listening PORT" and serves until killed
 */
export const CEILING_BODY = 'ok: santong ceiling\n';

const app = new Hono().get('/', (c) => c.text(CEILING_BODY));

if (import.meta.url === `file://${process.argv[1]}`) {
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) =>
    process.stdout.write(`listening ${info.port}\n`),
  );
  // Started by the runner with an IPC channel: when it goes away, so does this.
  process.on('disconnect', () => server.close(() => process.exit(0)));
}
