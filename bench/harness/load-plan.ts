/*
 * What the runner asks of the load process, and what the load process answers: plain JSON across the
 * process boundary (a file in, one line of stdout out).
 */
/**
 * ceiling: the bare Hono app's constant body; coverage: the top read (the root, one page of counties), asked as
 * clients that accept gzip ask it (browsers, curl --compressed, Python's requests; decision 194); coverage-plain:
 * the same read without Accept-Encoding, as measured before decision 194;
 * province: one province's read (Gansu at national scale); county: the largest county's view;
 * overview-page, county-page: the dashboard's overview and that county's page, signed in as the bureau.
 */
export type StreamKind =
  | 'ceiling'
  | 'healthz'
  | 'coverage'
  | 'coverage-plain'
  | 'province'
  | 'county'
  | 'ingest'
  | 'overview-page'
  | 'county-page';

export interface StreamPlan {
  kind: StreamKind;
  /** Concurrent requests in flight (closed loop: each connection sends its next request on an answer). */
  connections: number;
}

export interface PhasePlan {
  name: string;
  /** Phases repeat in rounds; each round's figures are taken against that round's /healthz. */
  round: number;
  warmupMs: number;
  durationMs: number;
  streams: StreamPlan[];
}

export interface LoadPlan {
  url: string;
  apiToken: string;
  countyView: string;
  /**
   * Servers that share one database (PostgreSQL) and take 'ingest' streams in its place: a stream's connections are
   * spread over them in turn, as a load balancer in front of them would.
   */
  ingestUrls?: string[];
  /** The bare app of bench/harness/ceiling-app.ts, for 'ceiling' streams. */
  ceilingUrl?: string;
  /** Where a 'province' stream reads: the server's `?division=` or the stand-in app (division-app.ts). */
  province?: { url: string; path: string };
  /** The session cookie of a signed-in bureau account, for the dashboard page streams. */
  pageCookie?: string;
  seed: number;
  /** Device index ranges [from, to) whose keys the load process derives and plays. */
  loadDevices: [number, number][];
  /** Reports per batch, uniformly distributed (an agent catching up after a night off sends many). */
  batchMin: number;
  batchMax: number;
  phases: PhasePlan[];
}

export interface StreamResult {
  kind: StreamKind;
  connections: number;
  /** Requests answered within the measured window. */
  requests: number;
  ok: number;
  /** Count per HTTP status that was not 200, and per transport error message. */
  failures: Record<string, number>;
  seconds: number;
  perSecond: number;
  /** Reports the server acknowledged as accepted (ingest only), in answers within the measured window. */
  reportsAccepted: number;
  /**
   * Every report acknowledged as accepted in the whole phase, warm-up and answers after the window included: what
   * the database must hold afterwards beyond what it held before (exactly-once).
   */
  reportsAcknowledged: number;
  reportsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Mean response body size. */
  /** Mean bytes of an answer's body as sent (gzipped where the server compressed it). */
  meanBytes: number;
}

export interface PhaseResult {
  name: string;
  round: number;
  streams: StreamResult[];
}

/** The p-th percentile (0–100) of sorted values, nearest rank; 0 when empty. */
export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}
