import pg from 'pg';

/*
 * How a server process on PostgreSQL learns that the read model moved (decision 199). The triggers that mark a
 * change coverage reads depend on (migration pg/0011) call pg_notify on this channel: PostgreSQL delivers the
 * notice after the writing transaction commits, once per transaction however many rows it changed, to every
 * session listening, in whichever server process or command wrote. Unlike the version row it replaces, nothing
 * is written, so concurrent writers no longer collide on one row.
 */
export const READ_MODEL_CHANNEL = 'santong_read_model';

/** The longest wait between attempts to listen again once the connection is lost. */
const MAX_BACKOFF_MS = 5_000;

/**
 * One process's count of the read model's moves: a notice from any session, the process's own commits (counted at
 * once, before their notice arrives) and every loss of the listening connection (notices sent meanwhile are lost)
 * each advance it. While not listening there is no count: nothing read may be kept, since nothing would say when
 * it went stale. The connection opens on the first read that asks, so commands that never read coverage open none.
 */
export class ReadModelNotices {
  #count = 0;
  /** Per session of this process (its backend's pid), own commits counted already whose notices are still to come. */
  #ahead = new Map<number, number>();
  #client: pg.Client | undefined;
  #listening = false;
  #closed = false;
  #retry: NodeJS.Timeout | undefined;
  #backoffMs = 0;

  constructor(private readonly connection: pg.ClientConfig) {}

  /** The count, or undefined while not (yet) listening. */
  count(): number | undefined {
    if (!this.#client && !this.#retry && !this.#closed) this.#listen();
    return this.#listening ? this.#count : undefined;
  }

  /**
   * A commit of this process, on the session with backend `pid`, changed the read model: readers here must not wait
   * for its notice, which is then not counted again when it comes (a session's notices come in commit order).
   */
  moved(pid: number): void {
    this.#count++;
    if (this.#listening) this.#ahead.set(pid, (this.#ahead.get(pid) ?? 0) + 1);
  }

  #heard(pid: number): void {
    const ahead = this.#ahead.get(pid);
    if (!ahead) this.#count++;
    else if (ahead === 1) this.#ahead.delete(pid);
    else this.#ahead.set(pid, ahead - 1);
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    this.#listening = false;
    await client?.end().catch(() => undefined);
  }

  #listen(): void {
    const client = new pg.Client(this.connection);
    this.#client = client;
    const lost = () => {
      if (this.#client !== client) return;
      this.#client = undefined;
      this.#listening = false;
      this.#ahead.clear();
      this.#count++;
      void client.end().catch(() => undefined);
      if (this.#closed) return;
      this.#backoffMs = Math.min(Math.max(this.#backoffMs * 2, 100), MAX_BACKOFF_MS);
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#listen();
      }, this.#backoffMs).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (notice) => this.#heard(notice.processId));
    client
      .connect()
      .then(() => client.query(`LISTEN ${READ_MODEL_CHANNEL}`))
      .then(() => {
        if (this.#client !== client) return;
        // Whatever committed before LISTEN took hold sent its notice to nobody: what was kept before is stale.
        this.#count++;
        this.#listening = true;
        this.#backoffMs = 0;
      }, lost);
  }
}
