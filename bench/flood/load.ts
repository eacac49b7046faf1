import fs from 'node:fs';
import { Pool } from 'undici';
import { epochNow, type FloodPlan, type SentBatch } from './plan.ts';
import { reportBatch } from '../harness/load.ts';
import { hash32 } from '../../server/demo/seeded-random.ts';

/*
 * The normal school PCs of bench/flood/flood.ts, in a process of their own so that the flooder's CPU does not
 * stall their clock:  node --import tsx bench/flood/load.ts PLAN.json
 * Open loop: batch i is due at t0 + i / rate, whatever happened to the ones before, and its latency runs
 * from when it was due (a server that falls behind shows as latency, not as fewer requests).
 * Prints one JSON line of SentBatch[] once every window has ended.
 */

async function run(plan: FloodPlan, t0: number): Promise<SentBatch[]> {
  const pool = new Pool(plan.url, {
    connections: plan.connections,
    pipelining: 1,
    headersTimeout: 120_000,
    bodyTimeout: 120_000,
  });
  const end = t0 + plan.windows.at(-1)!.end;
  const interval = 1000 / plan.batchesPerSecond;
  const sent: SentBatch[] = [];
  const inFlight = new Set<Promise<void>>();

  const send = async (i: number) => {
    const due = t0 + i * interval;
    const device = plan.devices[i % plan.devices.length]!;
    const size = plan.batchMin + (hash32(i, 99) % (plan.batchMax - plan.batchMin + 1));
    const body = reportBatch(device.index, size, Date.now());
    const lag = epochNow() - due;
    let status = 0;
    let accepted = 0;
    try {
      const response = await pool.request({
        path: '/api/v1/reports',
        method: 'POST',
        headers: {
          authorization: `Bearer ${device.key}`,
          'content-type': 'application/json',
          'x-forwarded-for': device.address,
        },
        body,
      });
      const text = await response.body.text();
      status = response.statusCode;
      if (status === 200) accepted = (JSON.parse(text) as { accepted: number }).accepted;
    } catch {
      status = 0;
    }
    sent.push([due - t0, lag, epochNow() - due, status, accepted, device.neighbour ? 1 : 0]);
  };

  for (let i = 0; ;) {
    const now = epochNow();
    if (now >= end) break;
    for (; t0 + i * interval <= now; i++) {
      const p = send(i).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await new Promise((r) => setTimeout(r, Math.max(1, t0 + i * interval - epochNow())));
  }
  await Promise.all(inFlight);
  await pool.close();
  return sent;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // Started by flood.ts with an IPC channel: if the runner dies, so does the load.
  const orphaned = () => process.exit(3);
  process.on('disconnect', orphaned);
  const plan = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as FloodPlan;
  process.once('message', (message: { t0: number }) => {
    void run(plan, message.t0).then((sent) => {
      process.off('disconnect', orphaned);
      process.stdout.write(JSON.stringify(sent) + '\n', () => process.disconnect?.());
    });
  });
  process.send!({ ready: true });
}
