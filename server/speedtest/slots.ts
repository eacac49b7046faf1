import type { SpeedtestSlot } from '../../shared/schemas/speedtest.ts';
import { endOfLocalDay, localDay } from '../../shared/time/china-time.ts';
import { statement, type Store } from '../db/store.ts';

/**
 * Speed-test slots: at most one test per school at a time, so the PCs of one school never saturate
 * its link together and each measures the link, not its neighbours. A slot ends when the test's upload
 * finishes or after `slotMs`, whichever is first. A slot is good for one download and one upload of at
 * most the granted bytes: without that one device could pull 64 MiB downloads in parallel for as long
 * as it held the slot (issue 11) and saturate the very link it measures.
 *
 * Kept in the database (speedtest_slots, speedtest_grants), so that several server processes sharing one
 * database grant one slot per school between them and a test's download and upload may be served by different
 * processes (issue 14, decision 195). Each step is one short transaction: on PostgreSQL a serializable one, so two
 * processes granting the same school's slot at once cannot both succeed (one is re-run and sees the other's grant).
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

/** What the server saw of the download it served in a slot: the basis of its own measurement (record.ts). */
export interface DownloadTiming {
  /** When the download was requested: wall-clock epoch ms with a fraction (`preciseNow`). */
  startedAt: number;
  /** Bytes handed to the connection. */
  sent: number;
  /** Every byte asked for was handed over (the agent did not break off). */
  done: boolean;
}

/**
 * The wall clock to a fraction of a millisecond, comparable between the processes of one machine (a download timed
 * by one process and its upload by another); across machines as far as their clocks agree (NTP: a few ms).
 */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

type Device = { id: string; schoolCode: string };

export class SpeedtestSlots {
  constructor(private readonly policy: SpeedtestPolicy = defaultSpeedtestPolicy) {}

  /** Grants the school's slot to this device if it is free (or already this device's) and under its daily cap. */
  request(store: Store, device: Device, now: number): Promise<SpeedtestSlot> {
    return store.transaction(async (tx) => {
      const held = await tx.row(slotOf, device.schoolCode);
      if (held && held.expiresAt > now && held.deviceId !== device.id)
        return refused('another device of this school is testing now', Math.ceil((held.expiresAt - now) / 1000));
      if (held?.deviceId === device.id && held.expiresAt > now) return granted(this.policy.bytes, held.expiresAt);
      const day = localDay(now);
      const count = (await tx.row(grantsOn, device.id, day))?.grants ?? 0;
      if (count >= this.policy.maxPerDevicePerDay) {
        const tomorrow = endOfLocalDay(day);
        return refused(`this device already ran ${count} tests today`, Math.ceil((tomorrow - now) / 1000));
      }
      // The device's counts of earlier days are no longer asked: one row per device stays.
      await tx.execute(forgetEarlierDays, device.id, day);
      await tx.execute(countGrant, device.id, day);
      const expiresAt = now + this.policy.slotMs;
      await tx.execute(takeSlot, device.schoolCode, device.id, expiresAt);
      return granted(this.policy.bytes, expiresAt);
    });
  }

  /**
   * Starts the slot's one download or upload of at most `bytes`, or says why not: no slot held, this
   * transfer already started, or more bytes than the slot granted. A download's start is its timing's start.
   */
  startTransfer(
    store: Store,
    device: Device,
    transfer: Transfer,
    bytes: number,
    now: number,
  ): Promise<TransferRefusal | null> {
    return store.transaction(async (tx) => {
      const held = await tx.row(slotOf, device.schoolCode);
      if (held === undefined || held.deviceId !== device.id || held.expiresAt <= now) {
        return {
          code: 'no_speedtest_slot',
          message: 'this device holds no speed-test slot; POST /api/v1/speedtest/slot first',
        };
      }
      if (transfer === 'download' ? held.downloadTaken === 1 : held.uploadTaken === 1)
        return {
          code: 'speedtest_transfer_taken',
          message: `this slot's ${transfer} has already started; a slot allows one; ask for a new slot`,
        };
      if (bytes > this.policy.bytes)
        return {
          code: 'speedtest_bytes_over_grant',
          message: `bytes must be at most ${this.policy.bytes}, what the slot granted`,
        };
      if (transfer === 'download') await tx.execute(takeDownload, preciseNow(), device.schoolCode, device.id);
      else await tx.execute(takeUpload, device.schoolCode, device.id);
      return null;
    });
  }

  /** The most bytes a slot grants each way. */
  get grantedBytes(): number {
    return this.policy.bytes;
  }

  /** Records how the device's download went (when its last byte was handed over, or the agent broke off). */
  async endDownload(store: Store, device: Device, sent: number, done: boolean): Promise<void> {
    await store.execute(downloadEnded, sent, done ? 1 : 0, device.schoolCode, device.id);
  }

  /** Ends the device's slot (its upload finished); answers how its download went, if one was served. */
  release(store: Store, device: Device): Promise<DownloadTiming | undefined> {
    return store.transaction(async (tx) => {
      const held = await tx.row(slotOf, device.schoolCode);
      if (held?.deviceId !== device.id) return undefined;
      await tx.execute(freeSlot, device.schoolCode, device.id);
      if (held.downloadStartedAt === null) return undefined;
      return { startedAt: held.downloadStartedAt, sent: held.downloadSent ?? 0, done: held.downloadDone === 1 };
    });
  }
}

// Portable SQL (decision 186); flags are 0/1 in both schemas.
const slotOf = statement<
  {
    deviceId: string;
    expiresAt: number;
    downloadTaken: number;
    uploadTaken: number;
    downloadStartedAt: number | null;
    downloadSent: number | null;
    downloadDone: number | null;
  },
  [string]
>(
  `select device_id as "deviceId", expires_at as "expiresAt", download_taken as "downloadTaken",
     upload_taken as "uploadTaken", download_started_at as "downloadStartedAt", download_sent as "downloadSent",
     download_done as "downloadDone"
   from speedtest_slots where school_code = ?`,
);
const takeSlot = statement<never, [string, string, number]>(
  `insert into speedtest_slots (school_code, device_id, expires_at, download_taken, upload_taken)
   values (?, ?, ?, 0, 0)
   on conflict (school_code) do update set device_id = excluded.device_id, expires_at = excluded.expires_at,
     download_taken = 0, upload_taken = 0, download_started_at = null, download_sent = null, download_done = null`,
);
const takeDownload = statement<never, [number, string, string]>(
  `update speedtest_slots set download_taken = 1, download_started_at = ? where school_code = ? and device_id = ?`,
);
const takeUpload = statement<never, [string, string]>(
  'update speedtest_slots set upload_taken = 1 where school_code = ? and device_id = ?',
);
const downloadEnded = statement<never, [number, number, string, string]>(
  'update speedtest_slots set download_sent = ?, download_done = ? where school_code = ? and device_id = ?',
);
const freeSlot = statement<never, [string, string]>(
  'delete from speedtest_slots where school_code = ? and device_id = ?',
);
const grantsOn = statement<{ grants: number }, [string, string]>(
  'select grants from speedtest_grants where device_id = ? and day = ?',
);
const countGrant = statement<never, [string, string]>(
  `insert into speedtest_grants (device_id, day, grants) values (?, ?, 1)
   on conflict (device_id, day) do update set grants = speedtest_grants.grants + 1`,
);
const forgetEarlierDays = statement<never, [string, string]>(
  'delete from speedtest_grants where device_id = ? and day < ?',
);

function granted(bytes: number, expiresAt: number): SpeedtestSlot {
  return { granted: true, bytes, expiresAt: new Date(expiresAt).toISOString(), retryAfterSeconds: null, reason: null };
}

function refused(reason: string, retryAfterSeconds: number): SpeedtestSlot {
  return { granted: false, bytes: 0, expiresAt: null, retryAfterSeconds, reason };
}
