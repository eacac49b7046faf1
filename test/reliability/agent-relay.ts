import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A relay on 127.0.0.1 between the real agent and the real server. It forwards every request
 * unchanged, keeps a ledger of every report batch the agent posted and what the server answered, and
 * can hold the next batch at one chosen moment so a test kills the agent exactly there: before the
 * server saw it, after the server stored it but before the agent heard (the worst case), or just
 * after the answer went out.
 */

/** Where the relay holds the next report batch. */
export type HoldPoint = 'before-server' | 'after-server' | 'after-answer';

export interface PostedBatch {
  reportIds: string[];
  /** The server answered 2xx: every report of the batch is stored, by this request or an earlier one. */
  stored: boolean;
  /** Held before the server and sent on to it after the agent was killed. */
  afterSenderDied: boolean;
  /** The server's answer went out to the agent. */
  answered: boolean;
  /** What the server answered, when it did. */
  status?: number;
  accepted?: number;
  duplicates?: number;
  answeredAt?: number;
}

interface Hold {
  point: HoldPoint;
  reached: () => void;
  /** Resolved by `release`: whether a batch held before the server goes on to the server after all. */
  released: Promise<boolean>;
  release: (forward: boolean) => void;
}

export class Relay {
  readonly ledger: PostedBatch[] = [];
  /** Every request path in order of arrival: the agent's reachability probe marks that it is collecting. */
  readonly arrivals: { path: string; at: number }[] = [];
  private waiting = new Map<string, () => void>();
  /** Armed and not yet taken by a batch; `armed` stays set until released. */
  private hold: Hold | undefined;
  private armed: Hold | undefined;
  private pending = new Set<Promise<void>>();

  private constructor(
    private readonly server: ReturnType<typeof createServer>,
    readonly url: string,
    private readonly upstream: string,
  ) {}

  static async start(upstream: string): Promise<Relay> {
    let relay: Relay | undefined;
    const server = createServer((req, res) => relay!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new Relay(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, upstream);
    return relay;
  }

  /** Holds the next report batch at `point`; the promise resolves when a batch got there. */
  holdNext(point: HoldPoint): Promise<void> {
    let release!: (forward: boolean) => void;
    const released = new Promise<boolean>((r) => (release = r));
    return new Promise((reached) => (this.hold = this.armed = { point, reached, released, release }));
  }

  /** Resolves when the next request for `path` arrives. */
  nextRequest(path: string): Promise<void> {
    return new Promise((resolve) => this.waiting.set(path, resolve));
  }

  /** Lets a held batch go (to the server, or not) and clears any hold that no batch reached. */
  release(forward: boolean): void {
    this.armed?.release(forward);
    this.hold = this.armed = undefined;
  }

  /** Resolves once every request the relay took has finished, so the ledger is complete. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  async close(): Promise<void> {
    this.release(false);
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = req.url ?? '/';
    this.arrivals.push({ path, at: performance.now() });
    this.waiting.get(path)?.();
    this.waiting.delete(path);
    req.on('error', () => {});
    res.on('error', () => {});
    // Known from the start: a response whose agent was killed meanwhile can no longer be answered.
    let closed = false;
    res.once('close', () => (closed = true));
    const work = this.relay(req, res, () => closed).finally(() => this.pending.delete(work));
    this.pending.add(work);
  }

  private async relay(req: IncomingMessage, res: ServerResponse, closed: () => boolean): Promise<void> {
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      return; // the agent died while sending
    }
    if (req.method !== 'POST' || req.url !== '/api/v1/reports') {
      await this.answer(res, closed, await this.forward(req, body));
      return;
    }
    const batch: PostedBatch = {
      reportIds: (JSON.parse(body.toString()) as { reports: { id: string }[] }).reports.map((r) => r.id),
      stored: false,
      afterSenderDied: false,
      answered: false,
    };
    this.ledger.push(batch);
    const hold = this.hold;
    this.hold = undefined;
    if (hold?.point === 'before-server') {
      hold.reached();
      if (!(await hold.released)) {
        res.destroy();
        return;
      }
      batch.afterSenderDied = true;
    }
    const answer = await this.forward(req, body);
    batch.status = answer.status;
    if (answer.status >= 200 && answer.status < 300) {
      const counts = JSON.parse(answer.text) as { accepted: number; duplicates: number };
      Object.assign(batch, { stored: true, accepted: counts.accepted, duplicates: counts.duplicates });
    }
    if (batch.afterSenderDied) {
      res.destroy();
      return;
    }
    if (hold?.point === 'after-server') {
      hold.reached();
      await hold.released;
      res.destroy(); // committed on the server; the agent never hears
      return;
    }
    if (!(await this.answer(res, closed, answer))) return;
    batch.answered = true;
    batch.answeredAt = performance.now();
    if (hold?.point === 'after-answer') hold.reached();
  }

  private async forward(req: IncomingMessage, body: Buffer) {
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'user-agent']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const response = await fetch(new URL(req.url ?? '/', this.upstream), {
      method: req.method ?? 'GET',
      headers,
      ...(req.method === 'GET' || req.method === 'HEAD' ? {} : { body }),
    });
    return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
  }

  /** Writes the answer; false when the agent was gone before it could be. */
  private answer(
    res: ServerResponse,
    closed: () => boolean,
    answer: { status: number; contentType: string | null; text: string },
  ): Promise<boolean> {
    if (closed()) return Promise.resolve(false);
    return new Promise((resolve) => {
      res.once('close', () => resolve(false));
      res.writeHead(answer.status, answer.contentType ? { 'content-type': answer.contentType } : {});
      res.end(answer.text, () => resolve(true));
    });
  }
}
