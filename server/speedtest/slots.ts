import type { SpeedtestSlot } from '../../shared/schemas/speedtest.ts';
import { endOfLocalDay, localDay } from '../../shared/time/china-time.ts';

/**
 * Speed-test slots: at most one test per school at a time, so the PCs of one school never saturate
 * its link together and each measures the link, not its neighbours. A slot ends when the test's upload
 * finishes or after `slotMs`, whichever is first. A slot is good for one download and one upload of at
 * most the granted bytes: without that one device could pull 64 MiB downloads in parallel for as long
 * as it held the slot (issue 11) and saturate the very link it measures. Kept in memory: a restart frees every slot, which is
 * the safe direction.
 */
export interface SpeedtestPolicy {
  /** Bytes each direction: 25 MB takes 2 s at 100 Mbps and 50 s at 4 Mbps (a teaching point). */
  bytes: number;
  slotMs: number;
  /** At most this many granted tests per device per local (China Standard Time) day ("a few times a day"). */
  maxPerDevicePerDay: number;
}

export const defaultSpeedtestPolicy: SpeedtestPolicy = { bytes: 25_000_000, slotMs: 120_000, maxPerDevicePerDay: 4 };

export type Transfer = 'download' | 'upload';
export interface TransferRefusal {
  code: 'no_speedtest_slot' | 'speedtest_transfer_taken' | 'speedtest_bytes_over_grant';
  message: string;
}

interface Slot {
  deviceId: string;
  expiresAt: number;
  taken: Set<Transfer>;
  download?: DownloadTiming;
}

/** What the server saw of the download it served in a slot: the basis of its own measurement (record.ts). */
export interface DownloadTiming {
  /** performance.now() when the download was requested. */
  startedAt: number;
  /** Bytes handed to the connection so far. */
  sent: number;
  /** Every byte asked for was handed over (the agent did not break off). */
  done: boolean;
}

export class SpeedtestSlots {
  private readonly bySchool = new Map<string, Slot>();
  // Grants per device for the current local day only; cleared when the day changes, so it stays small.
  private grantsDay = '';
  private readonly grantsToday = new Map<string, number>();

  constructor(private readonly policy: SpeedtestPolicy = defaultSpeedtestPolicy) {}

  /** Grants the school's slot to this device if it is free (or already this device's) and under its daily cap. */
  request(device: { id: string; schoolCode: string }, now: number): SpeedtestSlot {
    const held = this.bySchool.get(device.schoolCode);
    if (held && held.expiresAt > now && held.deviceId !== device.id) {
      return refused('another device of this school is testing now', Math.ceil((held.expiresAt - now) / 1000));
    }
    if (held?.deviceId === device.id && held.expiresAt > now) return granted(this.policy.bytes, held.expiresAt);
    const day = localDay(now);
    if (day !== this.grantsDay) {
      this.grantsDay = day;
      this.grantsToday.clear();
    }
    const count = this.grantsToday.get(device.id) ?? 0;
    if (count >= this.policy.maxPerDevicePerDay) {
      const tomorrow = endOfLocalDay(day);
      return refused(`this device already ran ${count} tests today`, Math.ceil((tomorrow - now) / 1000));
    }
    this.grantsToday.set(device.id, count + 1);
    const expiresAt = now + this.policy.slotMs;
    this.bySchool.set(device.schoolCode, { deviceId: device.id, expiresAt, taken: new Set() });
    return granted(this.policy.bytes, expiresAt);
  }

  /**
   * Starts the slot's one download or upload of at most `bytes`, or says why not: no slot held, this
   * transfer already started, or more bytes than the slot granted.
   */
  startTransfer(
    device: { id: string; schoolCode: string },
    transfer: Transfer,
    bytes: number,
    now: number,
  ): TransferRefusal | null {
    const held = this.bySchool.get(device.schoolCode);
    if (held === undefined || held.deviceId !== device.id || held.expiresAt <= now) {
      return {
        code: 'no_speedtest_slot',
        message: 'this device holds no speed-test slot; POST /api/v1/speedtest/slot first',
      };
    }
    if (held.taken.has(transfer))
      return {
        code: 'speedtest_transfer_taken',
        message: `this slot's ${transfer} has already started; a slot allows one; ask for a new slot`,
      };
    if (bytes > this.policy.bytes)
      return {
        code: 'speedtest_bytes_over_grant',
        message: `bytes must be at most ${this.policy.bytes}, what the slot granted`,
      };
    held.taken.add(transfer);
    return null;
  }

  /** The most bytes a slot grants each way. */
  get grantedBytes(): number {
    return this.policy.bytes;
  }

  /** Starts timing a download in the device's slot (the latest download of a slot is the one measured). */
  startDownload(device: { id: string; schoolCode: string }, startedAt: number): DownloadTiming {
    const timing: DownloadTiming = { startedAt, sent: 0, done: false };
    const held = this.bySchool.get(device.schoolCode);
    if (held?.deviceId === device.id) held.download = timing;
    return timing;
  }

  /** Ends the device's slot (its upload finished); answers how its download went, if one was served. */
  release(device: { id: string; schoolCode: string }): DownloadTiming | undefined {
    const held = this.bySchool.get(device.schoolCode);
    if (held?.deviceId !== device.id) return undefined;
    this.bySchool.delete(device.schoolCode);
    return held.download;
  }
}

function granted(bytes: number, expiresAt: number): SpeedtestSlot {
  return { granted: true, bytes, expiresAt: new Date(expiresAt).toISOString(), retryAfterSeconds: null, reason: null };
}

function refused(reason: string, retryAfterSeconds: number): SpeedtestSlot {
  return { granted: false, bytes: 0, expiresAt: null, retryAfterSeconds, reason };
}
