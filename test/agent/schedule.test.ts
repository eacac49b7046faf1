import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Schedule, deviceOffsetMinutes, nextSlot } from '../../agent/schedule.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const MIN = 60_000;
const t0 = Date.parse('2026-03-02T08:00:00Z');
const opts = { deviceId: 'dev-1', intervalMinutes: 60, random: () => 0.5 };

describe('schedule', () => {
  it('gives each device its own minute in the hour, spread over the whole hour', () => {
    const minutes = new Set(Array.from({ length: 600 }, (_, i) => deviceOffsetMinutes(`device-${i}`, 60)));
    expect(minutes.size).toBeGreaterThan(55);
    expect(deviceOffsetMinutes('dev-1', 60)).toBe(deviceOffsetMinutes('dev-1', 60));
  });

  it('next slot is the device minute plus jitter, within one interval', () => {
    const offset = deviceOffsetMinutes('dev-1', 60);
    const slot = nextSlot(t0, opts);
    expect(slot).toBeGreaterThan(t0);
    expect(slot - t0).toBeLessThanOrEqual(61 * MIN);
    expect(new Date(slot).getUTCMinutes()).toBe(offset);
    expect(new Date(slot).getUTCSeconds()).toBe(30);
    expect(nextSlot(t0, { ...opts, random: () => 0 }) - nextSlot(t0 - 60 * MIN, { ...opts, random: () => 0 })).toBe(
      60 * MIN,
    );
  });

  it('runs at once the first time, then not until the next slot', async () => {
    const s = new Schedule(join(dir, 'schedule.json'), opts);
    await s.load(t0);
    expect(s.due(t0)).toBe('first');
    await s.ran(t0, 'fp-a');
    const next = s.nextRunAt!;
    expect(s.due(next - 1, 'fp-a')).toBeNull();
    expect(s.due(next, 'fp-a')).toBe('scheduled');
  });

  it('keeps the next run across a restart', async () => {
    const file = join(dir, 'schedule.json');
    const s = new Schedule(file, opts);
    await s.load(t0);
    await s.ran(t0, 'fp-a');
    const restarted = new Schedule(file, opts);
    await restarted.load(t0 + 5 * MIN);
    expect(restarted.nextRunAt).toBe(s.nextRunAt);
    expect(restarted.due(t0 + 5 * MIN, 'fp-a')).toBeNull();
  });

  it('makes up a run missed while the PC was off, within minutes of boot', async () => {
    const file = join(dir, 'schedule.json');
    const s = new Schedule(file, opts);
    await s.load(t0);
    await s.ran(t0, 'fp-a');
    const boot = t0 + 3 * 24 * 60 * MIN; // switched off over a long weekend
    const afterBoot = new Schedule(file, { ...opts, catchUpWithinMs: 5 * MIN });
    await afterBoot.load(boot);
    expect(afterBoot.nextRunAt).toBe(boot + 2.5 * MIN);
    expect(afterBoot.due(boot + 2.5 * MIN - 1, 'fp-a')).toBeNull();
    expect(afterBoot.due(boot + 2.5 * MIN, 'fp-a')).toBe('missed');
    await afterBoot.ran(boot + 2.5 * MIN, 'fp-a');
    expect(afterBoot.due(boot + 2.5 * MIN, 'fp-a')).toBeNull();
  });

  it('a display change is due at the next check, without waiting for the hour', async () => {
    const s = new Schedule(join(dir, 'schedule.json'), opts);
    await s.load(t0);
    await s.ran(t0, 'fp-monitor-only');
    expect(s.due(t0 + MIN, 'fp-monitor-only')).toBeNull();
    expect(s.due(t0 + MIN, 'fp-with-projector')).toBe('display-change');
    expect(s.due(t0 + MIN)).toBeNull(); // no check this tick
  });
});
