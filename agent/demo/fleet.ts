import { join } from 'node:path';
import { agentConfigSchema } from '../config.ts';
import type { AgentContext } from '../context.ts';
import { createDispatcher, type Dispatcher } from '../http.ts';
import { Daemon } from '../daemon.ts';
import { Outbox } from '../outbox.ts';
import { AGENT_VERSION } from '../version.ts';
import { syntheticCollector, type SimulatedPc } from './synthetic.ts';

export type FleetPc = SimulatedPc & { deviceKey: string };

/**
 * Many classroom PCs in one process: each is the real agent daemon (its schedule, its durable outbox
 * in its own state directory, the real sender with backoff) with synthetic collectors. One timer ticks
 * them all a minute apart, as the daemon's minute timer ticks one agent; ticks run a few dozen at a time.
 */
export class Fleet {
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;

  private constructor(
    readonly daemons: Daemon[],
    private readonly dispatcher: Dispatcher,
    private readonly concurrency: number,
  ) {}

  /** Opens every PC's outbox and schedule under `stateRoot`. */
  static async open(o: {
    serverUrl: string;
    stateRoot: string;
    pcs: FleetPc[];
    intervalMinutes?: number;
    concurrency?: number;
  }): Promise<Fleet> {
    const dispatcher = createDispatcher({ keepAliveConnections: 64 }, {}); // {}: the machine's proxy settings are not for 127.0.0.1
    // Shuffled, so at any moment of the first round every county's picture is partly filled, not one county after another.
    const pcs = [...o.pcs].sort(() => Math.random() - 0.5);
    const daemons = await inParallel(pcs, 32, async (pc) => {
      const config = agentConfigSchema.parse({
        serverUrl: o.serverUrl,
        deviceId: pc.deviceId,
        deviceKey: pc.deviceKey,
        school: pc.school,
        classroom: pc.classroom,
        intervalMinutes: o.intervalMinutes ?? 60,
        throughput: { enabled: false },
      });
      const stateDir = join(o.stateRoot, pc.deviceId);
      const outbox = await Outbox.open(stateDir, config.outbox);
      const target = {
        serverUrl: o.serverUrl,
        deviceKey: pc.deviceKey,
        dispatcher,
        userAgent: `santong-agent/${AGENT_VERSION} (demo)`,
      };
      const ctx: AgentContext = {
        config,
        configPath: join(stateDir, 'config.json'),
        stateDir,
        dispatcher,
        outbox,
        target,
      };
      const daemon = new Daemon(ctx, { bundle: null, collector: syntheticCollector(pc), displayCheckEveryTicks: 1 });
      await daemon.load();
      return daemon;
    });
    return new Fleet(daemons, dispatcher, o.concurrency ?? 48);
  }

  /** Ticks every PC once; resolves when all have queued what was due and tried to deliver it. */
  tickAll(): Promise<void> {
    this.round ??= inParallel(this.daemons, this.concurrency, (d) => d.tickOnce()).then(() => {
      this.round = undefined;
    });
    return this.round;
  }

  /** Ticks now and then every `everyMs`; returns the first round (every PC's first report delivered or queued). */
  start(everyMs = 60_000): Promise<void> {
    const first = this.tickAll();
    this.timer = setInterval(() => void this.tickAll(), everyMs);
    return first;
  }

  /** Reports queued in the PCs' outboxes, not yet acknowledged. */
  async queued(): Promise<number> {
    let n = 0;
    for (const d of this.daemons) n += (await d.ctx.outbox.list()).length;
    return n;
  }

  /** Stops ticking and waits for the round in progress; outboxes keep what was not delivered. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    await this.dispatcher.close();
  }
}

/** Maps over items with at most `limit` promises in flight. */
async function inParallel<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
