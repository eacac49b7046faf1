import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeFileDurable, isMissingFile } from './durable-file.ts';

const MINUTE = 60_000;

export type ScheduleOptions = {
  deviceId: string;
  intervalMinutes: number;
  /** Random in [0, 1); injected so tests are exact. */
  random?: () => number;
  /** How soon after start a run missed while the PC was off is made up. */
  catchUpWithinMs?: number;
};

export type RunReason = 'first' | 'scheduled' | 'missed' | 'display-change';

/**
 * The minute within each interval that belongs to this device, from a hash of its id: spreads the
 * PCs of a prefecture evenly over the hour instead of all of them calling at :00.
 */
export function deviceOffsetMinutes(deviceId: string, intervalMinutes: number): number {
  return createHash('sha256').update(deviceId).digest().readUInt32BE(0) % intervalMinutes;
}

/** The first slot strictly after `afterMs`: the device's minute in an interval, plus up to a minute of jitter. */
export function nextSlot(afterMs: number, o: ScheduleOptions): number {
  const interval = o.intervalMinutes * MINUTE;
  const offset = deviceOffsetMinutes(o.deviceId, o.intervalMinutes) * MINUTE;
  let slot = Math.floor((afterMs - offset) / interval) * interval + offset;
  while (slot <= afterMs) slot += interval;
  return slot + Math.floor((o.random ?? Math.random)() * MINUTE);
}

type Persisted = { nextRunAt?: number; displayFingerprint?: string };

/** The persisted next run, read without changing anything (for `status`). */
export async function readNextRunAt(file: string): Promise<number | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as Persisted;
    return typeof state.nextRunAt === 'number' ? state.nextRunAt : undefined;
  } catch {
    return undefined;
  }
}

/**
 * When to collect the next report. The next run is persisted, so a restart neither skips the hour
 * nor reports twice; a run missed while the PC was off (nights, holidays) is made up soon after
 * boot; a change in the attached displays is reported at the next check without waiting for the hour.
 * Time is always passed in, so tests drive it without sleeping.
 */
export class Schedule {
  private state: Persisted = {};
  private missed = false;

  constructor(
    private readonly file: string,
    private readonly o: ScheduleOptions,
  ) {}

  /** Reads the persisted next run; one in the past was missed and is moved to shortly after `now`. */
  async load(now: number): Promise<void> {
    try {
      this.state = JSON.parse(await readFile(this.file, 'utf8')) as Persisted;
    } catch (error) {
      if (!isMissingFile(error) && !(error instanceof SyntaxError)) throw error;
      this.state = {};
    }
    const next = this.state.nextRunAt;
    if (typeof next === 'number' && next < now) {
      // Randomised so the forty PCs of a school switched on at 08:00 do not all report at 08:00.
      this.state.nextRunAt =
        now + Math.floor((this.o.random ?? Math.random)() * (this.o.catchUpWithinMs ?? 5 * MINUTE));
      this.missed = true;
      await this.save();
    }
  }

  get nextRunAt(): number | undefined {
    return this.state.nextRunAt;
  }

  /** Why a report is due now, or null. `fingerprint` is the current display fingerprint, when checked. */
  due(now: number, fingerprint?: string): RunReason | null {
    if (this.state.nextRunAt === undefined) return 'first';
    if (
      fingerprint !== undefined &&
      this.state.displayFingerprint !== undefined &&
      fingerprint !== this.state.displayFingerprint
    ) {
      return 'display-change';
    }
    if (now >= this.state.nextRunAt) return this.missed ? 'missed' : 'scheduled';
    return null;
  }

  /** Records a run at `now` with the displays it saw, and persists the next slot. */
  async ran(now: number, fingerprint: string | undefined): Promise<void> {
    this.state = {
      nextRunAt: nextSlot(now, this.o),
      ...(fingerprint !== undefined ? { displayFingerprint: fingerprint } : {}),
    };
    this.missed = false;
    await this.save();
  }

  private save(): Promise<void> {
    return writeFileDurable(this.file, JSON.stringify(this.state));
  }
}
