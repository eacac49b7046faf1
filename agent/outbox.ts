import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { reportSchema, type Report } from '../shared/schemas/report.ts';
import { isMissingFile, removeStaleTemps, syncDirectory, writeFileDurable } from './durable-file.ts';

export type OutboxLimits = { maxCount: number; maxBytes: number };
export type OutboxEntry = { name: string; bytes: number };
export type QueuedReport = OutboxEntry & { report: Report };

/** About 80 days of hourly reports: longer than the summer holiday a PC may spend unplugged from the network. */
export const defaultOutboxLimits: OutboxLimits = { maxCount: 2000, maxBytes: 20 * 1024 * 1024 };
/**
 * The outbox's files under the state directory: the queued reports and the count of those dropped for lack of
 * room. They are what the Windows uninstaller keeps when asked to keep unsent reports.
 */
export const OUTBOX_DIR = 'outbox';
export const OUTBOX_STATE_FILE = 'outbox-state.json';
const QUARANTINE_KEEP = 100;
const entryName = /^(\d{12})-([0-9a-f-]{36})\.json$/;

/**
 * The durable queue between collecting and sending: one file per report, written before any send
 * and removed only after the server acknowledged it (a 2xx).
 *
 * Files are ordered by a sequence number, not the clock, because classroom PCs with flat CMOS
 * batteries boot in 2009 and a clock-ordered queue would then drop the newest report as "oldest".
 */
export class Outbox {
  private constructor(
    readonly dir: string,
    private readonly limits: OutboxLimits,
    private nextSeq: number,
    private dropped: number,
    /** Index of the queue, oldest first, so bounding it costs no directory scan per report. */
    private readonly entries: OutboxEntry[],
  ) {}

  /** Opens (creating) the outbox under a state directory and clears temp files left by a crash. */
  static async open(stateDir: string, limits: OutboxLimits = defaultOutboxLimits): Promise<Outbox> {
    const dir = join(stateDir, OUTBOX_DIR);
    await mkdir(join(stateDir, 'quarantine'), { recursive: true, mode: 0o700 });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await removeStaleTemps(dir);
    const entries: OutboxEntry[] = [];
    for (const name of await listNames(dir)) entries.push({ name, bytes: (await stat(join(dir, name))).size });
    const last = entries.at(-1)?.name;
    const nextSeq = last ? Number(last.slice(0, 12)) + 1 : 1;
    const outbox = new Outbox(dir, limits, nextSeq, 0, entries);
    outbox.dropped = await outbox.readDropped();
    return outbox;
  }

  /** Reports dropped for lack of room whose count no queued report carries yet. */
  get droppedCount(): number {
    return this.dropped;
  }

  /**
   * Queues a report durably. The drop count moves into the report (so exactly one delivered report
   * carries each drop), then the oldest entries are dropped until the limits hold again.
   */
  async add(input: Report): Promise<void> {
    const report = reportSchema.parse({ ...input, droppedSinceLastDelivery: this.dropped || undefined });
    const name = `${String(this.nextSeq++).padStart(12, '0')}-${report.id}.json`;
    const text = JSON.stringify(report);
    await writeFileDurable(join(this.dir, name), text);
    this.entries.push({ name, bytes: Buffer.byteLength(text) });
    // Written before the counter is cleared: a crash between the two over-reports drops, never hides them.
    await this.setDropped(0);
    await this.enforceLimits(name);
  }

  /** Queued entries, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    return [...this.entries];
  }

  /** The oldest reports, up to a count and a body size; unreadable files go to quarantine. */
  async nextBatch(maxReports: number, maxBytes: number): Promise<QueuedReport[]> {
    await this.refresh();
    const batch: QueuedReport[] = [];
    let bytes = 0;
    for (const entry of await this.list()) {
      if (batch.length >= maxReports || (batch.length > 0 && bytes + entry.bytes > maxBytes)) break;
      let text: string;
      try {
        text = await readFile(join(this.dir, entry.name), 'utf8');
      } catch (error) {
        // Another agent process (an admin's `once` beside the service) delivered it already.
        if (isMissingFile(error)) {
          this.forget(entry);
          continue;
        }
        throw error;
      }
      const parsed = reportSchema.safeParse(safeJson(text));
      if (!parsed.success) {
        await this.quarantine([entry], 'unreadable in the outbox (disk corruption or an incompatible agent version)');
        continue;
      }
      batch.push({ ...entry, report: parsed.data });
      bytes += entry.bytes;
    }
    return batch;
  }

  /** Removes entries the server acknowledged with a 2xx; the only way a report leaves the outbox. */
  async acknowledge(entries: readonly OutboxEntry[]): Promise<void> {
    for (const entry of entries) {
      await rm(join(this.dir, entry.name), { force: true });
      this.forget(entry);
    }
    await syncDirectory(this.dir);
  }

  /**
   * Moves entries the server will never accept (a 4xx other than 401/408/429) aside with its reason,
   * so one bad report cannot block the queue, and a person can still read what was refused and why.
   */
  async quarantine(entries: readonly OutboxEntry[], reason: string): Promise<void> {
    const qdir = join(this.dir, '..', 'quarantine');
    for (const entry of entries) {
      await this.carryDropCount(entry);
      this.forget(entry);
      try {
        await rename(join(this.dir, entry.name), join(qdir, entry.name));
      } catch (error) {
        if (isMissingFile(error)) continue;
        throw error;
      }
      await writeFile(
        join(qdir, entry.name.replace(/\.json$/, '.reason.txt')),
        `${new Date().toISOString()} ${reason}\n`,
      );
    }
    await syncDirectory(this.dir);
    const names = (await readdir(qdir)).filter((n) => entryName.test(n)).sort();
    for (const old of names.slice(0, Math.max(0, names.length - QUARANTINE_KEEP))) {
      await rm(join(qdir, old), { force: true });
      await rm(join(qdir, old.replace(/\.json$/, '.reason.txt')), { force: true });
    }
  }

  /** Names of quarantined reports, oldest first. */
  async quarantined(): Promise<string[]> {
    return (await readdir(join(this.dir, '..', 'quarantine'))).filter((n) => entryName.test(n)).sort();
  }

  private async enforceLimits(keep: string): Promise<void> {
    let bytes = this.entries.reduce((sum, e) => sum + e.bytes, 0);
    let removed = 0;
    for (const entry of [...this.entries]) {
      if (this.entries.length <= this.limits.maxCount && bytes <= this.limits.maxBytes) break;
      if (entry.name === keep) continue; // the newest report is the one worth keeping
      await this.carryDropCount(entry);
      await rm(join(this.dir, entry.name), { force: true });
      this.forget(entry);
      await this.setDropped(this.dropped + 1);
      bytes -= entry.bytes;
      removed += 1;
    }
    if (removed > 0) await syncDirectory(this.dir);
  }

  /** Picks up reports another agent process (an admin's `once` beside the service) queued or delivered. */
  private async refresh(): Promise<void> {
    const onDisk = await listNames(this.dir);
    const known = new Set(this.entries.map((e) => e.name));
    const present = new Set(onDisk);
    for (const entry of this.entries.filter((e) => !present.has(e.name))) this.forget(entry);
    for (const name of onDisk.filter((n) => !known.has(n))) {
      try {
        this.entries.push({ name, bytes: (await stat(join(this.dir, name))).size });
      } catch (error) {
        if (!isMissingFile(error)) throw error;
      }
    }
    this.entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const last = this.entries.at(-1)?.name;
    if (last) this.nextSeq = Math.max(this.nextSeq, Number(last.slice(0, 12)) + 1);
  }

  private forget(entry: OutboxEntry): void {
    const i = this.entries.findIndex((e) => e.name === entry.name);
    if (i >= 0) this.entries.splice(i, 1);
  }

  /** A report leaving undelivered hands the drops it carried back to the counter, so none is lost. */
  private async carryDropCount(entry: OutboxEntry): Promise<void> {
    try {
      const carried = (safeJson(await readFile(join(this.dir, entry.name), 'utf8')) as Partial<Report> | undefined)
        ?.droppedSinceLastDelivery;
      if (typeof carried === 'number' && carried > 0) await this.setDropped(this.dropped + carried);
    } catch (error) {
      if (!isMissingFile(error)) throw error;
    }
  }

  private async readDropped(): Promise<number> {
    try {
      const state = safeJson(await readFile(join(this.dir, '..', OUTBOX_STATE_FILE), 'utf8')) as {
        dropped?: unknown;
      };
      return typeof state?.dropped === 'number' ? state.dropped : 0;
    } catch (error) {
      if (isMissingFile(error)) return 0;
      throw error;
    }
  }

  private async setDropped(value: number): Promise<void> {
    if (value === this.dropped) return;
    this.dropped = value;
    await writeFileDurable(join(this.dir, '..', OUTBOX_STATE_FILE), JSON.stringify({ dropped: value }));
  }
}

async function listNames(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => entryName.test(n)).sort();
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
