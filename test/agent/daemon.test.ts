import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openAgent, type AgentContext } from '../../agent/context.ts';
import { Daemon } from '../../agent/daemon.ts';
import { throughputDue } from '../../agent/throughput-plan.ts';
import { enroll } from '../../agent/enroll.ts';
import { startTestServer, testClock, type TestServer, type TestClock } from '../helpers/server.ts';
import { buildEdid } from '../../agent/demo/edid-builder.ts';
import { tempDir } from './report-fixture.ts';
import { reports } from '../../server/db/schema.ts';

const MIN = 60_000;
let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let ctx: AgentContext;
let clock: TestClock;
let drm: string;

async function plug(connector: string, edid: Uint8Array) {
  await mkdir(join(drm, connector), { recursive: true });
  await writeFile(join(drm, connector, 'status'), 'connected\n');
  await writeFile(join(drm, connector, 'edid'), edid);
}

function stored(): { id: string; presentation: number }[] {
  return server.db
    .select({ id: reports.id, presentation: reports.presentationDisplay })
    .from(reports)
    .orderBy(reports.collectedAt)
    .all()
    .map((r) => ({ id: r.id, presentation: Number(r.presentation) }));
}

beforeEach(async () => {
  process.env.SANTONG_AGENT_QUIET = '1';
  // The server keeps real time (a report from "the future" would be clamped); the agent's clock is the test's.
  // Real time even while a test fakes Date: otherwise the server dates its speed-test measurements by the faked
  // clock and verify, run afterwards at real time, finds them in its future.
  server = await startTestServer({ clock: testClock(undefined, () => performance.timeOrigin + performance.now()) });
  clock = testClock(Date.now());
  ({ dir, cleanup } = await tempDir());
  drm = join(dir, 'drm');
  await plug(
    'card0-DP-1',
    buildEdid({ vendorId: 'DEL', productCode: 0xa0c4, name: 'DELL P2419H', widthCm: 53, heightCm: 30 }),
  );
  const configPath = join(dir, 'config.json');
  await enroll({
    server: server.url,
    token: await server.enrollmentToken('6229210001'),
    configPath,
    internetTargets: [`${server.url}/healthz`],
  });
  ctx = await openAgent(configPath);
});
afterEach(async () => {
  await ctx.dispatcher.close();
  await server.close();
  await cleanup();
});

function daemon() {
  return new Daemon(ctx, { now: clock, random: () => 0.5, drmRoot: drm, displayCheckEveryTicks: 1 });
}

describe('daemon ticks, driven by a test clock', () => {
  it('reports at the first tick, not again within the hour, and again at the next slot', async () => {
    const d = daemon();
    await d.load();
    await d.tickOnce();
    expect(stored()).toHaveLength(1);
    // A minute on, or just before the device's next slot if that comes sooner (its offset is random).
    clock.set(Math.min(clock() + MIN, d.schedule.nextRunAt! - 1));
    await d.tickOnce();
    expect(stored()).toHaveLength(1);
    clock.set(d.schedule.nextRunAt!);
    await d.tickOnce();
    expect(stored()).toHaveLength(2);
  }, 30_000);

  it('start() ticks at once, then at the start of the next minute of the wall clock', async () => {
    const startedAt = Math.floor(Date.now() / MIN) * MIN + 42_000; // hh:mm:42
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'], now: startedAt });
    try {
      const d = daemon();
      await d.start();
      expect(stored()).toHaveLength(1);
      await plug('card0-HDMI-A-1', buildEdid({ vendorId: 'SEC', productCode: 0x0731, name: 'EPSON PJ' }));
      clock.advance(MIN);
      await vi.advanceTimersToNextTimerAsync();
      expect(Date.now()).toBe(startedAt + 18_000); // on the minute, not a minute after start
      await d.stop(); // waits for the tick the timer started
      expect(stored()).toHaveLength(2);
      expect(vi.getTimerCount()).toBe(0); // stopped: no timer left to keep the process alive
    } finally {
      vi.useRealTimers();
    }
  }, 30_000);

  it('a projector plugged in mid-hour is reported at the next tick', async () => {
    const d = daemon();
    await d.load();
    await d.tickOnce();
    expect(stored()[0]?.presentation).toBe(0);
    await plug('card0-HDMI-A-1', buildEdid({ vendorId: 'SEC', productCode: 0x0731, name: 'EPSON PJ' }));
    clock.advance(MIN);
    await d.tickOnce();
    expect(stored()).toHaveLength(2);
    expect(stored().map((r) => r.presentation)).toContain(1);
  }, 30_000);

  it('keeps reports while the server is down and sends them once the backoff has passed', async () => {
    const d = daemon();
    await d.load();
    await server.stop();
    await d.tickOnce();
    const queued = await ctx.outbox.nextBatch(10, 1e9);
    expect(queued).toHaveLength(1);
    await server.restart();
    // Inside the backoff (15 s with this jitter), and before the device's next slot (its offset is random).
    clock.set(Math.min(clock() + 1000, d.schedule.nextRunAt! - 1));
    await d.tickOnce();
    expect(await ctx.outbox.list()).toHaveLength(1);
    clock.advance(MIN);
    await d.tickOnce();
    // Sent once the backoff passed (with a report of its own if the slot came meanwhile), and stored once.
    expect(await ctx.outbox.list()).toHaveLength(0);
    expect(stored().filter((r) => r.id === queued[0]!.report.id)).toHaveLength(1);
  }, 30_000);

  it('after a restart with a missed slot, reports within minutes instead of waiting for the hour', async () => {
    const d = daemon();
    await d.load();
    await d.tickOnce();
    clock.advance(3 * 24 * 60 * MIN); // a long weekend switched off
    const after = daemon();
    await after.load();
    const next = after.schedule.nextRunAt!;
    expect(next - clock()).toBeLessThanOrEqual(5 * MIN);
    await after.tickOnce();
    expect(stored()).toHaveLength(1);
    clock.set(next);
    await after.tickOnce();
    expect(stored()).toHaveLength(2);
  }, 30_000);

  it('measures throughput with the server in school hours, at most every few hours, and not in the evening', async () => {
    const morning = new Date();
    morning.setHours(10, 0, 0, 0);
    clock.set(morning.getTime());
    const d = daemon();
    await d.load();
    await d.tickOnce();
    const speed = () =>
      server.db.$client.prepare('select down_mbps as down, up_mbps as up from reports order by collected_at').all() as {
        down: number | null;
        up: number | null;
      }[];
    expect(speed()[0]?.down).toBeGreaterThan(0);
    expect(speed()[0]?.up).toBeGreaterThan(0);
    clock.set(d.schedule.nextRunAt!); // about an hour later: too soon for another test
    await d.tickOnce();
    expect(speed()[1]?.down).toBeNull();
    const evening = new Date(morning);
    evening.setHours(20);
    clock.set(evening.getTime() + 24 * 3_600_000);
    expect(throughputDue(ctx.config.throughput, clock(), undefined)).toBe(false);
  }, 60_000);
});
