import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pinnedReleaseKeys } from '../config.ts';
import type { AgentContext } from '../context.ts';
import { writeFileDurable } from '../durable-file.ts';
import { log } from '../log.ts';
import { AGENT_VERSION } from '../version.ts';
import { checkForUpdate, type UpdateCheck } from './check.ts';
import { bundleFiles, confirmStart, readBeside, type Trial } from './install.ts';

const HOUR = 3_600_000;
export type Refusal = { refusedVersion: string; reason: string };

/** Persisted in the state directory as update.json. */
export type UpdateState = {
  /** When to ask the server next; a check missed while the PC was off runs at the next tick. */
  nextCheckAt?: number;
  /** Versions that were rolled back here (they did not start): never installed again. */
  failedVersions?: string[];
  /** A refusal or rollback that no queued report carries yet. */
  toReport?: Refusal;
};

/**
 * The daemon's side of self-update: a daily check at a time jittered per PC, the record of what was
 * refused until a report carries it, and the confirmation that a freshly installed version started.
 * Inert when the agent runs from TypeScript sources rather than its bundle file.
 */
export class Updater {
  private state: UpdateState = {};
  private readonly file: string;

  constructor(
    private readonly ctx: AgentContext,
    readonly bundle: string | null,
    private readonly random: () => number = Math.random,
  ) {
    this.file = join(ctx.stateDir, 'update.json');
  }

  /** Reads the state and takes over a rollback the launcher recorded, so it is reported and not retried. */
  async load(now: number): Promise<void> {
    this.state = (await readBeside<UpdateState>(this.file)) ?? {};
    if (!this.bundle) return;
    const files = bundleFiles(this.bundle);
    const rollback = await readBeside<{ version: string; reason: string }>(files.rollback);
    if (rollback) {
      const failed = [
        ...(this.state.failedVersions ?? []).filter((v) => v !== rollback.version),
        rollback.version,
      ].slice(-10);
      this.state = {
        ...this.state,
        failedVersions: failed,
        toReport: { refusedVersion: rollback.version, reason: `rolled back: ${rollback.reason}` },
      };
      await this.save();
      await rm(files.rollback, { force: true });
      log('warn', 'a self-update was rolled back by the launcher', {
        version: rollback.version,
        reason: rollback.reason,
      });
    }
    // A marker naming another version is left by a swap interrupted before its rename: nothing to confirm.
    const trial = await readBeside<Trial>(files.trial);
    if (trial && trial.version !== AGENT_VERSION) await rm(files.trial, { force: true });
    if (this.state.nextCheckAt === undefined) {
      // First start: a random time within a day, so a county's PCs do not all download at once.
      this.state.nextCheckAt = now + Math.floor(this.random() * 24 * HOUR);
      await this.save();
    }
  }

  /** Tells the launcher this version started well (call after the daemon's first tick). */
  async confirm(): Promise<void> {
    if (this.bundle && (await confirmStart(this.bundle, AGENT_VERSION)))
      log('info', 'self-update confirmed: this version started', { version: AGENT_VERSION });
  }

  due(now: number): boolean {
    return this.bundle !== null && this.state.nextCheckAt !== undefined && now >= this.state.nextCheckAt;
  }

  /** Checks for and installs a newer signed release; a refusal waits in the state for the next report. */
  async check(now: number): Promise<UpdateCheck> {
    if (!this.bundle) return { outcome: 'none' };
    const result = await checkForUpdate({
      target: this.ctx.target,
      bundle: this.bundle,
      currentVersion: AGENT_VERSION,
      pinnedKeys: pinnedReleaseKeys(this.ctx.config),
      failedVersions: this.state.failedVersions ?? [],
      now,
    });
    // Daily, ±1 h; after a network error an hour or two later.
    const wait = result.outcome === 'error' ? HOUR + this.random() * HOUR : 23 * HOUR + this.random() * 2 * HOUR;
    this.state.nextCheckAt = now + Math.floor(wait);
    if (result.outcome === 'refused') {
      this.state.toReport = { refusedVersion: result.version, reason: result.reason.slice(0, 512) };
      log('error', 'self-update refused; this version keeps running', {
        version: result.version,
        reason: result.reason,
      });
    } else if (result.outcome === 'error') {
      log('warn', 'self-update check failed; trying again later', { error: result.error });
    } else if (result.outcome === 'installed') {
      log('info', 'self-update installed; restarting into it', { from: AGENT_VERSION, to: result.version });
    }
    await this.save();
    return result;
  }

  /** The refusal the next report should carry. */
  get pendingRefusal(): Refusal | undefined {
    return this.state.toReport;
  }

  /** The refusal is in a queued report now (the outbox delivers it): forget it here. */
  async refusalQueued(): Promise<void> {
    if (!this.state.toReport) return;
    delete this.state.toReport;
    await this.save();
  }

  private save(): Promise<void> {
    return writeFileDurable(this.file, JSON.stringify(this.state));
  }
}
