import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { Pool } from 'undici';
import { csrfTokenFor, PRELOGIN_COOKIE } from '../../server/accounts/csrf.ts';
import { epochNow, type FloodCounts, type FloodKind, type FloodPlan } from './plan.ts';
import { reportBatch } from '../harness/load.ts';

/*
 * The flooder of bench/flood/flood.ts:  node --import tsx bench/flood/attack.ts PLAN.json
 * In a device-flood window, one PC's key on many connections at once, each sending its next request the
 * moment the last is answered, cycling through: a full batch of 500 fresh reports (the largest the server
 * takes), 64 KiB of garbage, well-formed JSON that is no batch, and a 5 MiB body (over the 4 MiB limit).
 * A decoy-flood window sends the same to bench/flood/decoy.ts instead (the control).
 * In an address-flood window, one address that is no school's hammers enroll (a made-up token) and login
 * (a valid CSRF pair, made-up names, wrong passwords). Prints one JSON line of FloodCounts[] at the end.
 */
const FULL_BATCHES = 80;
const MiB = 1024 * 1024;

interface Shot {
  kind: string;
  path: string;
  headers: Record<string, string>;
  body: string | Buffer;
}

function deviceShots(plan: FloodPlan): () => Shot {
  const { key, address, index } = plan.flooder;
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-forwarded-for': address };
  // Built before the clock starts, so the flooder spends its time sending, not serialising.
  const full = Array.from({ length: FULL_BATCHES }, () => reportBatch(index, 500, Date.now()));
  const garbage = randomBytes(64 * 1024);
  const notABatch = JSON.stringify({
    reports: [{ schemaVersion: 1, id: 'not-a-uuid', collectedAt: 'yesterday' }],
    more: 'x'.repeat(4096),
  });
  const oversized = Buffer.alloc(5 * MiB, 0x20);
  const nested = Buffer.alloc(4 * MiB - 1024, 0x5b);
  const minted = plan.flooder.minted;
  const path = '/api/v1/reports';
  const shots: Record<FloodKind, (k: number) => Shot> = {
    full: (k) => ({ kind: 'full batch (500 reports)', path, headers, body: full[k % FULL_BATCHES]! }),
    garbage: () => ({ kind: 'garbage (64 KiB)', path, headers, body: garbage }),
    invalid: () => ({ kind: 'JSON that is no batch', path, headers, body: notABatch }),
    oversized: () => ({ kind: 'oversized (5 MiB)', path, headers, body: oversized }),
    nested: (k) => ({
      kind: 'nested [ (4 MiB, minted keys)',
      path,
      headers: {
        ...headers,
        authorization: `Bearer ${minted.keys[k % minted.keys.length]}`,
        'x-forwarded-for': minted.address,
      },
      body: nested,
    }),
  };
  const cycle = plan.flooder.kinds.map((kind) => shots[kind]);
  let n = 0;
  return () => {
    const k = n++;
    return cycle[k % cycle.length]!(Math.floor(k / cycle.length));
  };
}

function addressShots(plan: FloodPlan): () => Shot {
  const address = plan.addressFlooder.address;
  const secret = randomBytes(32).toString('base64url');
  const csrf = csrfTokenFor(secret);
  let n = 0;
  return (): Shot => {
    const k = n++;
    if (k % 2 === 0) {
      const body = JSON.stringify({
        token: `ste_${randomBytes(32).toString('base64url')}`,
        hostname: `FLOOD-${k}`,
        hardware: { uuid: `flood-${k}` },
      });
      return {
        kind: 'enroll (made-up token)',
        path: '/api/v1/enroll',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body,
      };
    }
    const body = new URLSearchParams({ _csrf: csrf, username: `guess${k}`, password: 'wrong-password' }).toString();
    return {
      kind: 'login (wrong password)',
      path: '/login',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: `${PRELOGIN_COOKIE}=${secret}`,
        'x-forwarded-for': address,
      },
      body,
    };
  };
}

/** Closed loop on every connection until `until`; answers counted by kind and status. */
async function flood(
  pool: Pool,
  next: () => Shot,
  connections: number,
  until: number,
): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  const count = (kind: string, status: string) => {
    const byStatus = (counts[kind] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  };
  const worker = async () => {
    while (epochNow() < until) {
      const shot = next();
      try {
        const response = await pool.request({
          path: shot.path,
          method: 'POST',
          headers: shot.headers,
          body: shot.body,
        });
        await response.body.dump();
        count(shot.kind, String(response.statusCode));
      } catch {
        count(shot.kind, 'error');
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return counts;
}

async function run(
  plan: FloodPlan,
  t0: number,
  shots: { device: () => Shot; address: () => Shot },
): Promise<FloodCounts[]> {
  const results: FloodCounts[] = [];
  for (const [w, window] of plan.windows.entries()) {
    if (window.kind !== 'device-flood' && window.kind !== 'decoy-flood' && window.kind !== 'address-flood') continue;
    await new Promise((r) => setTimeout(r, Math.max(0, t0 + window.start - epochNow())));
    const byDevice = window.kind !== 'address-flood';
    const connections = byDevice ? plan.flooder.connections : plan.addressFlooder.connections;
    const pool = new Pool(window.kind === 'decoy-flood' ? plan.decoyUrl : plan.url, {
      connections,
      pipelining: 1,
      headersTimeout: 60_000,
      bodyTimeout: 60_000,
    });
    const cpu = process.cpuUsage();
    const started = epochNow();
    const counts = await flood(pool, byDevice ? shots.device : shots.address, connections, t0 + window.end);
    const used = process.cpuUsage(cpu);
    results.push({
      window: w,
      counts,
      cpuMs: (used.user + used.system) / 1000,
      seconds: (epochNow() - started) / 1000,
    });
    await pool.destroy();
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const orphaned = () => process.exit(3);
  process.on('disconnect', orphaned);
  const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as FloodPlan;
  const shots = { device: deviceShots(plan), address: addressShots(plan) };
  process.once('message', (message: { t0: number }) => {
    void run(plan, message.t0, shots).then((results) => {
      process.off('disconnect', orphaned);
      process.stdout.write(JSON.stringify(results) + '\n', () => process.disconnect?.());
    });
  });
  process.send!({ ready: true });
}
