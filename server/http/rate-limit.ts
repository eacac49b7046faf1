import type { Context } from 'hono';

/*
 * In-memory token buckets: `capacity` requests per `windowMs`, refilled evenly, of which at most `burst`
 * at once (the whole capacity unless given). Per process, in memory, also when several processes share one database
 * (decision 195: each limit protects its own process); a restart forgets the buckets, which only ever errs towards letting a school's PCs through. Keys are bounded (least recently used go first) so
 * a flood of made-up keys cannot grow the map without end.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly burst: number;
  private readonly maxKeys: number;

  constructor(
    readonly capacity: number,
    readonly windowMs: number,
    options: { burst?: number; maxKeys?: number } = {},
  ) {
    this.burst = Math.min(capacity, options.burst ?? capacity);
    this.maxKeys = options.maxKeys ?? 50_000;
  }

  /** Whole seconds until `key` has a token, 0 when it has one now; takes nothing. */
  wait(key: string, now: number): number {
    const tokens = this.tokensAt(key, now);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / (this.capacity / this.windowMs) / 1000));
  }

  /** Takes one token for `key`: 0 when allowed, else the whole seconds until a token is back. A capacity of 0 disables the limit. */
  take(key: string, now: number): number {
    if (this.capacity <= 0) return 0;
    const perMs = this.capacity / this.windowMs;
    const tokens = this.tokensAt(key, now);
    this.buckets.delete(key); // re-inserted below, so the map's order is least recently used first
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    }
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    if (this.buckets.size > this.maxKeys) this.buckets.delete(this.buckets.keys().next().value!);
    return 0;
  }

  private tokensAt(key: string, now: number): number {
    if (this.capacity <= 0) return Infinity;
    const bucket = this.buckets.get(key);
    return bucket
      ? Math.min(this.burst, bucket.tokens + Math.max(0, now - bucket.at) * (this.capacity / this.windowMs))
      : this.burst;
  }
}

/**
 * A 429 with Retry-After (RFC 9110 §10.2.3, delta-seconds), which the agent honours. The limits answer
 * before reading the body, so the connection closes instead of reading a flood's bodies (bench/flood/flood.ts).
 */
export function tooManyRequests(c: Context, retryAfterSeconds: number, what: string): Response {
  return c.json({ error: `too many ${what}; try again in ${retryAfterSeconds} s`, code: 'rate_limited' }, 429, {
    'retry-after': String(retryAfterSeconds),
    connection: 'close',
  });
}
