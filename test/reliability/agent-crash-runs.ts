import { watch } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { exited, spawnAgent, type AgentRun } from '../agent/agent-process.ts';
import type { Relay } from './agent-relay.ts';
import type { Random } from './seeded-random.ts';

/*
 * The real agent's `once`, run again and again through the relay, each run SIGKILLed a random delay
 * after a moment of its collect → outbox → send → acknowledge path. What each kill really hit is read
 * afterwards from the outbox and state directories and the relay's ledger, not assumed from the aim.
 */

/**
 * Where a kill is aimed: after the start; after the reachability probe reached the relay (collecting);
 * after the outbox temp file appeared; a batch held at the relay before the server; a batch the server
 * stored whose answer the relay holds back (the worst case); after the answer went out (removing the
 * files); after the delivery record's temp file appeared in the state dir.
 */
export const AIMS = ['starting', 'collecting', 'writing', 'sending', 'stored', 'answered', 'recording'] as const;
export type Aim = (typeof AIMS)[number];

/** An outbox entry: sequence number and report id. */
export const entryName = /^\d{12}-([0-9a-f-]{36})\.json$/;

/** Every file name that ever appeared in a directory (inotify sees a file that lives a millisecond). */
function watchDir(dir: string) {
  const names = new Set<string>();
  const tempAt = new Map<number, number>();
  const waiting = new Map<number, () => void>();
  let unnamed = 0;
  const watcher = watch(dir, (_event, name) => {
    if (!name) return void unnamed++;
    names.add(name);
    const pid = Number(/^\.tmp-(\d+)-/.exec(name)?.[1]);
    if (pid && !tempAt.has(pid)) {
      tempAt.set(pid, performance.now());
      waiting.get(pid)?.();
    }
  });
  return {
    names,
    tempAt,
    unnamed: () => unnamed,
    /** Resolves when the process `pid` starts writing a file here (its temp file appears). */
    tempOf: (pid: number) => new Promise<void>((resolve) => (tempAt.has(pid) ? resolve() : waiting.set(pid, resolve))),
    close: () => watcher.close(),
  };
}

const count = (tally: Record<string, number>, key: string) => (tally[key] = (tally[key] ?? 0) + 1);

export class AgentRuns {
  readonly unexpected: string[] = [];
  /** What the kills hit, by phase; runs that finished before their kill, by aim. */
  readonly phases: Record<string, number> = {};
  readonly finishedFirst: Record<string, number> = {};
  tornTemps = 0;
  stateTemps = 0;
  /** Outbox entries found by listing the directory after each kill, to check the watch against. */
  private readonly listed = new Set<string>();
  // Learned from the runs as they go, so the aims follow a machine that is slower or faster than expected.
  private readonly timing = { tempAt: 600, probeToTemp: 60, answerToExit: 50 };

  private constructor(
    private readonly configPath: string,
    private readonly stateDir: string,
    private readonly relay: Relay,
    private readonly random: Random,
    private readonly outbox = watchDir(join(stateDir, 'outbox')),
    private readonly state = watchDir(stateDir),
  ) {}

  /** Watches the state and outbox directories from before the agent's first run. */
  static async watch(configPath: string, stateDir: string, relay: Relay, random: Random): Promise<AgentRuns> {
    await mkdir(join(stateDir, 'outbox'), { recursive: true, mode: 0o700 });
    return new AgentRuns(configPath, stateDir, relay, random);
  }

  /** Every report id that was ever in the outbox. */
  written(): Set<string> {
    return new Set([...this.outbox.names].flatMap((n) => entryName.exec(n)?.[1] ?? []));
  }

  /** Names a listing found or ids the relay carried that the watch did not see (it must have seen all). */
  missedByWatch(): string[] {
    const written = this.written();
    const posted = this.relay.ledger.flatMap((b) => b.reportIds).filter((id) => !written.has(id));
    return [...posted, ...[...this.listed].filter((n) => !this.outbox.names.has(n))];
  }

  unnamedEvents(): number {
    return this.outbox.unnamed() + this.state.unnamed();
  }

  close(): void {
    this.outbox.close();
    this.state.close();
  }

  /** An unkilled `once`: it must clean up after earlier kills and deliver the whole outbox. */
  async clean(): Promise<AgentRun> {
    const run = this.start();
    const exitedAt = await run.gone;
    const out = run.child.output();
    if (out.code !== 0) this.unexpected.push(`clean run exited ${out.code ?? out.signal}: ${out.stderr}`);
    this.learn(run);
    const answeredAt = this.relay.ledger.at(-1)?.answeredAt;
    if (answeredAt) this.timing.answerToExit = Math.max(1, Math.round(exitedAt - answeredAt));
    await this.relay.idle();
    return out;
  }

  /** A run killed a random delay after the moment `aim` names; false when it finished first. */
  async killed(aim: Aim): Promise<boolean> {
    const { random, relay, timing } = this;
    const before = new Set(await this.outboxNames());
    const posted = relay.ledger.length;
    const run = this.start();
    const [moment, delay] =
      aim === 'starting'
        ? [Promise.resolve(), random.int(0, timing.tempAt)]
        : aim === 'collecting'
          ? [relay.nextRequest('/healthz'), random.int(0, timing.probeToTemp)]
          : aim === 'writing'
            ? [this.outbox.tempOf(run.pid), random.next() < 0.5 ? 0 : random.int(1, 12)]
            : aim === 'sending'
              ? [relay.holdNext('before-server'), random.int(0, 10)]
              : aim === 'stored'
                ? [relay.holdNext('after-server'), random.int(0, 10)]
                : aim === 'answered'
                  ? [
                      relay.holdNext('after-answer'),
                      random.next() < 0.5 ? random.int(0, 3) : random.int(0, timing.answerToExit),
                    ]
                  : [this.state.tempOf(run.pid), random.int(0, 2)];
    if (await Promise.race([moment.then(() => true), run.gone.then(() => false)])) {
      if (delay > 0) await Promise.race([new Promise((r) => setTimeout(r, delay)), run.gone]);
      run.child.kill('SIGKILL');
    }
    await run.gone;
    // A batch held before the server goes on to it half the time: the server finishes what a dead agent sent.
    relay.release(random.next() < 0.5);
    await relay.idle();
    this.learn(run);
    const out = run.child.output();
    if (out.signal !== 'SIGKILL') {
      if (out.code !== 0) this.unexpected.push(`run aimed at ${aim} exited ${out.code}: ${out.stderr}`);
      count(this.finishedFirst, aim);
      return false;
    }
    const after = await this.outboxNames();
    const mine = (n: string) => n.startsWith(`.tmp-${run.pid}-`);
    const temps = after.filter(mine).length;
    const stateTemps = (await readdir(this.stateDir)).filter(mine).length;
    this.tornTemps += temps;
    this.stateTemps += stateTemps;
    const last = relay.ledger.slice(posted).at(-1);
    const queued = (id: string) => after.some((n) => n.includes(id));
    count(
      this.phases,
      !last
        ? temps > 0
          ? 'writing the outbox file'
          : after.some((n) => !before.has(n))
            ? 'queued, not sent'
            : this.probed(run)
              ? 'collecting'
              : 'starting'
        : !last.stored
          ? 'sent, never stored'
          : last.afterSenderDied
            ? 'stored after the agent died'
            : !last.answered
              ? 'stored, answer not received'
              : last.reportIds.some(queued)
                ? 'answered, files not yet removed'
                : stateTemps > 0
                  ? 'recording the delivery'
                  : 'answered, files removed',
    );
    return true;
  }

  private start() {
    const child = spawnAgent(['once', '--retries', '0', '--config', this.configPath]);
    const spawnedAt = performance.now();
    const gone = exited(child).then(() => performance.now());
    return { child, pid: child.pid!, spawnedAt, gone, arrivals: this.relay.arrivals.length };
  }

  private probed(run: ReturnType<AgentRuns['start']>) {
    return this.relay.arrivals.slice(run.arrivals).find((a) => a.path === '/healthz');
  }

  private learn(run: ReturnType<AgentRuns['start']>): void {
    const tempAt = this.outbox.tempAt.get(run.pid);
    if (tempAt) this.timing.tempAt = Math.round(tempAt - run.spawnedAt);
    const probe = this.probed(run);
    if (tempAt && probe) this.timing.probeToTemp = Math.max(1, Math.round(tempAt - probe.at));
  }

  private async outboxNames(): Promise<string[]> {
    const names = await readdir(join(this.stateDir, 'outbox'));
    for (const n of names) if (entryName.test(n)) this.listed.add(n);
    return names;
  }
}
