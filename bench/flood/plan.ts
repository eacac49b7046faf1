import { hash32 } from '../../server/demo/seeded-random.ts';
import { deviceKey } from '../world/synthetic.ts';

/*
 * What bench/flood/flood.ts asks of its two load processes (the school PCs, and the flooder) and what they
 * answer: plain JSON across the process boundary. Times are milliseconds after t0, an instant the runner
 * sends both processes once they are ready, so their windows line up.
 */
/** decoy-flood: the device flood sent to bench/flood/decoy.ts instead of santong, as a control. */
export type WindowKind = 'warm-up' | 'quiet' | 'device-flood' | 'decoy-flood' | 'address-flood';

export interface FloodWindow {
  kind: WindowKind;
  round: number;
  start: number;
  /** Figures count from here to `end`; in a quiet window, the time before lets the last flood's backlog clear. */
  measureFrom: number;
  end: number;
}

/**
 * What the flooding PC sends, in turn: a full batch of 500 reports, 64 KiB of garbage, JSON that is no batch,
 * a 5 MiB body, and nearly 4 MiB of nested `[` under keys minted with one enrollment token (issue 11).
 */
export const floodKinds = ['full', 'garbage', 'invalid', 'oversized', 'nested'] as const;
export type FloodKind = (typeof floodKinds)[number];

export interface NormalDevice {
  index: number;
  key: string;
  /** The school's address as the reverse proxy forwards it (X-Forwarded-For). */
  address: string;
  /** Same school, so same address, as the flooding PC. */
  neighbour: boolean;
}

export interface FloodPlan {
  url: string;
  decoyUrl: string;
  windows: FloodWindow[];
  devices: NormalDevice[];
  /** The normal PCs' batches per second, all together: an open loop, sent on schedule whatever the answers. */
  batchesPerSecond: number;
  batchMin: number;
  batchMax: number;
  /** Connections the normal PCs' requests share (more than they ever need at once when the server keeps up). */
  connections: number;
  flooder: { index: number; key: string; address: string; connections: number; kinds: FloodKind[]; minted: MintedKeys };
  /** Floods enroll and login from one address that is no school's. */
  addressFlooder: { address: string; connections: number };
}

/**
 * Device keys one enrollment token minted, for the nested-body shots: a fresh key's first batches pass the
 * per-device limit. They sit behind an address of their own, so what they cost the flooder's schoolmates
 * is the parsing, not their school's address budget.
 */
export interface MintedKeys {
  keys: string[];
  address: string;
}

/** One normal batch: [intended send (ms after t0), send lag ms, latency ms from the intended send, status (0: transport error), reports accepted, neighbour 1/0]. */
export type SentBatch = [number, number, number, number, number, number];

/** What the flooder did in one window: per request kind, answers by status ("error" for transport errors). */
export interface FloodCounts {
  window: number;
  counts: Record<string, Record<string, number>>;
  /** The flooding process's own CPU time in the window (user + system). */
  cpuMs: number;
  seconds: number;
}

/** The run's windows: a warm-up, then rounds of quiet / device flood / quiet / decoy flood / quiet / address flood, and a last quiet one. */
export function floodWindows(quick: boolean): FloodWindow[] {
  // A flood counts from its first second (its onset is the worst of it); a quiet window only after the
  // last flood's backlog has had time to clear.
  const [rounds, settle, measure, warm] = quick ? [1, 1_000, 4_000, 3_000] : [2, 4_000, 9_000, 5_000];
  const list: FloodWindow[] = [{ kind: 'warm-up', round: 0, start: 0, measureFrom: 0, end: warm }];
  const add = (kind: FloodWindow['kind'], round: number) => {
    const start = list.at(-1)!.end;
    const measureFrom = kind === 'quiet' ? start + settle : start;
    list.push({ kind, round, start, measureFrom, end: measureFrom + measure });
  };
  for (let r = 1; r <= rounds; r++)
    (['quiet', 'device-flood', 'quiet', 'decoy-flood', 'quiet', 'address-flood'] as const).forEach((k) => add(k, r));
  add('quiet', rounds + 1);
  return list;
}

/** Enough fresh keys that the per-address limit (1,200 a minute), not the per-key burst, bounds the nested shots. */
const MINTED_KEYS = 400;

/** A school's public address as its NAT presents it, one per school (CGNAT space, never routed here). */
const schoolAddress = (school: number) => `100.64.${school >> 8}.${school & 255}`;

/**
 * The flooder (first PC of the first school with 12+ PCs), its schoolmates, 2 PCs each of other schools, and
 * keys for the nested-body shots: PCs the normal load never uses (the third and later of other schools).
 */
export function pickDevices(
  seed: number,
  schools: [number, number][],
  count: number,
): { flooder: NormalDevice; devices: NormalDevice[]; minted: MintedKeys } {
  const floodSchool = schools.findIndex(([from, to]) => to - from >= 12);
  if (floodSchool < 0) throw new Error('the dataset has no school with 12 PCs to flood from');
  const [from, to] = schools[floodSchool]!;
  const pc = (index: number, school: number, neighbour: boolean): NormalDevice => ({
    index,
    key: deviceKey(seed, index),
    address: schoolAddress(school),
    neighbour,
  });
  const devices = Array.from({ length: Math.min(to, from + 16) - from - 1 }, (_, k) =>
    pc(from + 1 + k, floodSchool, true),
  );
  const order = schools
    .map((_, s) => s)
    .filter((s) => s !== floodSchool)
    .sort((a, b) => hash32(a, 5) - hash32(b, 5));
  for (const s of order) {
    const [a, b] = schools[s]!;
    for (let i = a; i < Math.min(b, a + 2) && devices.length < count; i++) devices.push(pc(i, s, false));
  }
  devices.sort((x, y) => hash32(x.index, 77) - hash32(y.index, 77)); // schoolmates spread through the schedule
  const keys = order.flatMap((s) => {
    const [a, b] = schools[s]!;
    return Array.from({ length: Math.max(0, b - a - 2) }, (_, k) => deviceKey(seed, a + 2 + k));
  });
  return {
    flooder: pc(from, floodSchool, false),
    devices,
    minted: { keys: keys.slice(0, MINTED_KEYS), address: '100.127.255.254' },
  };
}

/** The p-th percentile (0–100) of sorted values, nearest rank; NaN when empty. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Milliseconds since the epoch with sub-millisecond resolution, comparable between processes. */
export const epochNow = () => performance.timeOrigin + performance.now();
