import type { Report, ReportBatchResult } from '../../shared/schemas/report.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import type { Store } from '../db/store.ts';
import { ingestReports, storeBatches, type ReportingDevice } from './reports.ts';
import { DEFAULT_RETENTION_DAYS } from './retention.ts';

/** What the report route hands batches to: answers each once the transaction holding it has committed. */
export interface ReportCommitter {
  submit(device: ReportingDevice, batch: Report[], receivedAt: number): Promise<ReportBatchResult>;
}

interface Pending {
  device: ReportingDevice;
  batch: Report[];
  receivedAt: number;
  resolve: (result: ReportBatchResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for report ingest. Batches that arrive while a commit is being prepared are stored
 * together in one transaction, with each affected school re-evaluated once, and every request is
 * answered only after the transaction holding its reports has committed (fsynced: synchronous=FULL).
 * One fsync and one evaluation per group instead of per request is what makes ingest scale.
 *
 * A group that fails is retried batch by batch, so one poisonous batch cannot fail its neighbours.
 */
export class GroupCommitter implements ReportCommitter {
  private pending: Pending[] = [];
  private pendingReports = 0;
  private scheduled = false;
  /** The group being committed, if any: the next waits for it. */
  private committing: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    /** A group is committed when it holds this many reports, or on the next turn of the event loop. */
    private readonly retentionDays = DEFAULT_RETENTION_DAYS,
    private readonly maxReports = 5_000,
  ) {}

  /** Queues a batch; resolves with its result once it is committed. */
  submit(device: ReportingDevice, batch: Report[], receivedAt: number): Promise<ReportBatchResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ device, batch, receivedAt, resolve, reject });
      this.pendingReports += batch.length;
      // flush answers every batch of its group itself, failures included: nothing waits for it.
      if (this.pendingReports >= this.maxReports) void this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate lets every request already parsed in this turn join the group.
        setImmediate(() => void this.flush());
      }
    });
  }

  /**
   * Commits everything queued now, after the group committing before it; resolves when every batch of its group is
   * answered. One group at a time: on PostgreSQL, where a transaction awaits the network, groups committing at once
   * would collide on the same schools' and divisions' rows and be run again; one after the other, what arrives
   * meanwhile joins the next group instead (on SQLite transactions take turns anyway).
   */
  async flush(): Promise<void> {
    this.scheduled = false;
    while (this.committing) await this.committing;
    const group = this.pending;
    this.pending = [];
    this.pendingReports = 0;
    if (group.length === 0) return;
    const committing = this.commit(group);
    this.committing = committing;
    try {
      await committing;
    } finally {
      this.committing = undefined;
    }
  }

  /** Stores `group` in one transaction and answers each of its batches, failures included; never rejects. */
  private async commit(group: Pending[]): Promise<void> {
    let results: ReportBatchResult[];
    try {
      results = await this.store.transaction(async (tx) => {
        const stored = await storeBatches(tx, group, this.retentionDays);
        const now = Math.max(...group.map((p) => p.receivedAt));
        const reporting = group.filter((_, i) => stored[i]!.accepted > 0).map((p) => p.device);
        await evaluateSchools(
          tx,
          reporting.map((d) => d.schoolCode),
          now,
          new Set(reporting.map((d) => d.id)),
        );
        return stored;
      });
    } catch {
      for (const p of group) {
        try {
          p.resolve(await ingestReports(this.store, p.device, p.batch, p.receivedAt, this.retentionDays));
        } catch (error) {
          p.reject(error);
        }
      }
      return;
    }
    group.forEach((p, i) => p.resolve(results[i]!));
  }
}
