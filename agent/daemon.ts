import { join } from 'node:path';
import { recordDelivery } from './agent-state.ts';
import { displayFingerprint, type Display } from './collect/display-list.ts';
import { collectDisplays } from './collect/displays.ts';
import { collectReport } from './collect/report.ts';
import type { AgentContext } from './context.ts';
import { log } from './log.ts';
import type { Report } from '../shared/schemas/report.ts';
import { Schedule } from './schedule.ts';
import { maybeMeasureThroughput } from './throughput-plan.ts';
import { recordLastReport, summariseReport } from './report-summary.ts';
import { backoffMs, deliverOutbox } from './send.ts';
import { runningBundle } from './update/install.ts';
import { Updater } from './update/updater.ts';

/** Made-up measurements in place of the PC's own (the demo fleet, the footprint benchmark); the rest of the loop is unchanged. */
export type Collector = {
  displays(): Promise<Display[]>;
  report(extra: { update?: Report['update'] }): Promise<Report>;
};

export type DaemonOptions = {
  now?: () => number;
  random?: () => number;
  /** On Windows and macOS listing displays starts a child process, so it is done every few ticks only. */
  displayCheckEveryTicks?: number;
  /** Where Linux exposes display connectors; a test points it at a directory it builds. */
  drmRoot?: string;
  /** The bundle file self-update replaces; null turns self-update off. Default: the file this process runs from. */
  bundle?: string | null;
  collector?: Collector;
};

/**
 * The `run` loop. A timer ticks at the start of every minute; each tick asks the schedule whether a report is due
 * (its slot came, a run was missed, or the displays changed), queues one, and sends the outbox when
 * the backoff allows. `tick()` takes its time from `now`, so tests drive the loop without waiting.
 */
export class Daemon {
  readonly schedule: Schedule;
  readonly updater: Updater;
  /** Resolves with the new version once an update is installed: the process should exit to be restarted into it. */
  readonly restartRequested: Promise<string>;
  private requestRestart: (version: string) => void = () => {};
  private minuteTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private ticks = 0;
  private sendAttempt = 0;
  private nextSendAt = 0;
  private readonly now: () => number;

  constructor(
    readonly ctx: AgentContext,
    private readonly o: DaemonOptions = {},
  ) {
    this.now = o.now ?? Date.now;
    this.schedule = new Schedule(join(ctx.stateDir, 'schedule.json'), {
      deviceId: ctx.config.deviceId,
      intervalMinutes: ctx.config.intervalMinutes,
      ...(o.random ? { random: o.random } : {}),
    });
    this.updater = new Updater(ctx, o.bundle === undefined ? runningBundle() : o.bundle, o.random);
    this.restartRequested = new Promise((resolve) => (this.requestRestart = resolve));
  }

  /** Reads the persisted schedule; a run missed while the PC was off is moved to shortly after now. */
  async load(): Promise<void> {
    await this.schedule.load(this.now());
    await this.updater.load(this.now());
  }

  /** Loads the schedule, runs a first tick at once (which confirms a fresh update), then one a minute until stopped. */
  async start(): Promise<void> {
    await this.load();
    await this.tickOnce();
    await this.updater.confirm();
    this.armMinuteTimer();
  }

  /**
   * What cron's "* * * * *" did, with a plain timer: node-cron reads the clock through Intl in a time
   * zone, which maps ~8 MiB of ICU data into the agent for a once-a-minute wake-up. Re-armed from the
   * wall clock each time, so ticks stay on the minute; a late one still ticks once.
   */
  private armMinuteTimer(): void {
    const wait = 60_000 - (Date.now() % 60_000);
    this.minuteTimer = setTimeout(
      () => {
        this.armMinuteTimer();
        void this.tickOnce();
      },
      wait < 1_000 ? wait + 60_000 : wait,
    );
  }

  /** Stops ticking and waits for a tick in progress; the outbox keeps whatever was not acknowledged. */
  async stop(): Promise<void> {
    clearTimeout(this.minuteTimer);
    this.minuteTimer = undefined;
    await this.running;
  }

  /** One tick; never overlaps another, and never throws (a failed tick is logged and the next one retries). */
  tickOnce(): Promise<void> {
    this.running ??= this.tick()
      .catch((error: unknown) => log('error', 'tick failed', { error: String(error) }))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async tick(): Promise<void> {
    // Before the report, so a refusal found now rides on it; an installed update ends the process instead.
    if (this.updater.due(this.now())) {
      const checked = await this.updater.check(this.now());
      if (checked.outcome === 'installed') {
        clearTimeout(this.minuteTimer);
        this.requestRestart(checked.version);
        return;
      }
    }
    const every = this.o.displayCheckEveryTicks ?? (process.platform === 'linux' ? 1 : 5);
    const displays = () => this.o.collector?.displays() ?? collectDisplays(this.o.drmRoot);
    const listed = this.ticks++ % every === 0 ? await displays() : undefined;
    const fingerprint = listed ? displayFingerprint(listed) : undefined;
    const reason = this.schedule.due(this.now(), fingerprint);
    if (reason) {
      const update = this.updater.pendingRefusal;
      const speed = this.o.collector
        ? { skipped: 'not-asked' as const }
        : await maybeMeasureThroughput(this.ctx, this.now);
      const report = this.o.collector
        ? await this.o.collector.report({ update })
        : await collectReport(this.ctx.config, this.ctx.dispatcher, this.now, {
            drmRoot: this.o.drmRoot,
            displays: listed,
            throughput: 'measured' in speed ? speed.measured : undefined,
            update,
          });
      await this.ctx.outbox.add(report);
      await recordLastReport(this.ctx.stateDir, summariseReport(report, 'skipped' in speed ? speed.skipped : 'failed'));
      await this.updater.refusalQueued();
      await this.schedule.ran(this.now(), displayFingerprint(report.displays));
      log('info', 'report queued', { reason, id: report.id, queued: (await this.ctx.outbox.list()).length });
      this.nextSendAt = 0; // a new report is worth an immediate try, backoff or not
    }
    if ((await this.ctx.outbox.list()).length === 0 || this.now() < this.nextSendAt) return;
    const result = await deliverOutbox(this.ctx.outbox, this.ctx.target, this.now);
    await recordDelivery(this.ctx.stateDir, result, this.now());
    if (result.state === 'done') {
      this.sendAttempt = 0;
      log('info', 'delivered', {
        accepted: result.accepted,
        duplicates: result.duplicates,
        quarantined: result.quarantined,
      });
      return;
    }
    const wait = Math.max(result.retryAfterMs ?? 0, backoffMs(this.sendAttempt++, this.o.random));
    this.nextSendAt = this.now() + wait;
    const hint =
      result.state === 'unauthorized' ? '; the device key was refused: enroll this PC again (reports stay queued)' : '';
    log(result.state === 'unauthorized' ? 'error' : 'warn', `delivery failed${hint}`, {
      error: result.error,
      retryInSeconds: Math.round(wait / 1000),
    });
  }
}
