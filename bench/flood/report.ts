import { percentile, type FloodCounts, type FloodPlan, type SentBatch, type WindowKind } from './plan.ts';

/*
 * The figures of bench/flood/flood.ts from one run's raw records: the normal PCs' batches binned by the window
 * they were due in, pooled per kind of window (quiet, device flood, address flood). Quiet and flood windows
 * alternate, so every ratio compares minutes-apart measurements of the same server in the same run.
 */

/** The server as sampled by the runner over a window's measured part. */
export interface ServerSample {
  cpuSeconds: number;
  seconds: number;
  rssBytes: number;
}

interface Group {
  p50: number;
  p99: number;
  max: number;
  reportsPerSecond: number;
  refused: Record<string, number>;
  lagP99: number;
}

const MiB = 1024 * 1024;
const n = (x: number, digits = 0) =>
  Number.isFinite(x) ? x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '–';
const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? (a / b).toFixed(2) : '–');

function group(plan: FloodPlan, sent: SentBatch[], windows: number[], neighbour: 0 | 1): Group {
  const inWindow = (t: number) => windows.some((w) => t >= plan.windows[w]!.measureFrom && t < plan.windows[w]!.end);
  // Latency by when the batch was due; throughput by when its answer came (reports acknowledged in the window).
  const mine = sent.filter((s) => s[5] === neighbour && inWindow(s[0]));
  const latencies = mine.map((s) => s[2]).sort((a, b) => a - b);
  const lags = mine.map((s) => s[1]).sort((a, b) => a - b);
  const acknowledged = sent
    .filter((s) => s[5] === neighbour && s[3] === 200 && inWindow(s[0] + s[2]))
    .reduce((a, s) => a + s[4], 0);
  const seconds = windows.reduce((a, w) => a + (plan.windows[w]!.end - plan.windows[w]!.measureFrom) / 1000, 0);
  const refused: Record<string, number> = {};
  for (const s of mine) {
    const status = s[3] === 0 ? 'transport error' : String(s[3]);
    if (s[3] !== 200) refused[status] = (refused[status] ?? 0) + 1;
  }
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.at(-1) ?? NaN,
    reportsPerSecond: acknowledged / seconds,
    refused,
    lagP99: percentile(lags, 99),
  };
}

const windowsOf = (plan: FloodPlan, kind: WindowKind) => plan.windows.flatMap((w, i) => (w.kind === kind ? [i] : []));
const refusedText = (g: Group) =>
  Object.keys(g.refused).length === 0
    ? 'none'
    : Object.entries(g.refused)
        .map(([s, c]) => `${n(c)}× ${s}`)
        .join(', ');
const cores = (samples: ServerSample[], windows: number[]) =>
  windows.reduce((a, w) => a + samples[w]!.cpuSeconds, 0) / windows.reduce((a, w) => a + samples[w]!.seconds, 0);
const rssMax = (samples: ServerSample[], windows: number[]) => Math.max(...windows.map((w) => samples[w]!.rssBytes));

const FLOODS: [WindowKind, string][] = [
  ['device-flood', 'one device floods'],
  ['decoy-flood', 'same flood at a decoy (control)'],
  ['address-flood', 'one address floods enroll + login'],
];

/** The comparison table: quiet against each kind of flood, normal PCs of other schools and the flooder's schoolmates apart. */
export function renderComparison(plan: FloodPlan, sent: SentBatch[], samples: ServerSample[]): string {
  const kinds: WindowKind[] = ['quiet', ...FLOODS.map(([k]) => k)];
  const others = kinds.map((k) => group(plan, sent, windowsOf(plan, k), 0));
  const mates = kinds.map((k) => group(plan, sent, windowsOf(plan, k), 1));
  const busy = kinds.map((k) => cores(samples, windowsOf(plan, k)));
  const rss = kinds.map((k) => rssMax(samples, windowsOf(plan, k)) / MiB);
  // A figure in every kind of window, each flood followed by its ratio to quiet.
  const row = (label: string, values: number[], digits = 0) =>
    `| ${label} | ${n(values[0]!, digits)} | ${values
      .slice(1)
      .map((v) => `${n(v, digits)} | **${ratio(v, values[0]!)}**`)
      .join(' | ')} |`;
  const text = (label: string, values: string[]) =>
    `| ${label} | ${values[0]} | ${values
      .slice(1)
      .map((v) => `${v} | `)
      .join(' | ')} |`;
  return [
    `| figure | quiet | ${FLOODS.map(([, title]) => `${title} | ÷ quiet`).join(' | ')} |`,
    `|---|---:|${FLOODS.map(() => '---:|---:').join('|')}|`,
    row(
      'other schools: p50 latency (ms)',
      others.map((g) => g.p50),
      1,
    ),
    row(
      'other schools: p99 latency (ms)',
      others.map((g) => g.p99),
      1,
    ),
    row(
      'other schools: max latency (ms)',
      others.map((g) => g.max),
      1,
    ),
    row(
      'other schools: acknowledged reports/s',
      others.map((g) => g.reportsPerSecond),
    ),
    text('other schools: refused or failed', others.map(refusedText)),
    row(
      "flooder's schoolmates (same address): p99 latency (ms)",
      mates.map((g) => g.p99),
      1,
    ),
    row(
      "flooder's schoolmates: acknowledged reports/s",
      mates.map((g) => g.reportsPerSecond),
    ),
    text("flooder's schoolmates: refused or failed", mates.map(refusedText)),
    row('server CPU (cores busy)', busy, 2),
    row('server RSS, highest sample (MiB)', rss),
    row(
      "load generator's own send lag, p99 (ms; its CPU, not the server)",
      others.map((g) => g.lagP99),
      1,
    ),
  ].join('\n');
}

/** Each flood window against the quiet windows either side of it: the spread behind the pooled ratios. */
export function renderRounds(plan: FloodPlan, sent: SentBatch[]): string {
  const lines = [
    '| window | p99 ms | quiet either side p99 ms | ÷ | acknowledged reports/s | quiet either side | ÷ |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  plan.windows.forEach((w, i) => {
    if (!FLOODS.some(([k]) => k === w.kind)) return;
    const flood = group(plan, sent, [i], 0);
    const quiet = group(
      plan,
      sent,
      [i - 1, i + 1].filter((q) => plan.windows[q]?.kind === 'quiet'),
      0,
    );
    lines.push(
      `| ${w.kind}, round ${w.round} | ${n(flood.p99, 1)} | ${n(quiet.p99, 1)} | ${ratio(flood.p99, quiet.p99)} | ${n(flood.reportsPerSecond)} | ${n(quiet.reportsPerSecond)} | ${ratio(flood.reportsPerSecond, quiet.reportsPerSecond)} |`,
    );
  });
  return lines.join('\n');
}

/** What the flooders sent and what they got back, per kind of request, over all their windows. */
export function renderFlooders(plan: FloodPlan, floods: FloodCounts[]): string {
  const statuses = ['200', '201', '400', '401', '403', '413', '429', 'error'];
  const lines = [
    `| flood | requests/s | ${statuses.join(' | ')} | other | flooder CPU (cores) |`,
    `|---|---:|${statuses.map(() => '---:').join('|')}|---:|---:|`,
  ];
  for (const [kind, title] of FLOODS) {
    const mine = floods.filter((f) => plan.windows[f.window]!.kind === kind);
    const seconds = mine.reduce((a, f) => a + f.seconds, 0);
    const cpu = mine.reduce((a, f) => a + f.cpuMs, 0) / 1000;
    const byKind = new Map<string, Record<string, number>>();
    for (const f of mine)
      for (const [k, counts] of Object.entries(f.counts)) {
        const sum = byKind.get(k) ?? {};
        for (const [s, c] of Object.entries(counts)) sum[s] = (sum[s] ?? 0) + c;
        byKind.set(k, sum);
      }
    for (const [k, counts] of byKind) {
      const total = Object.values(counts).reduce((a, b) => a + b, 0);
      const other = Object.entries(counts)
        .filter(([s]) => !statuses.includes(s))
        .map(([s, c]) => `${n(c)}× ${s}`)
        .join(', ');
      lines.push(
        `| ${title}: ${k} | ${n(total / seconds)} | ${statuses.map((s) => n(counts[s] ?? 0)).join(' | ')} | ${other} | ${n(cpu / seconds, 2)} |`,
      );
    }
  }
  return lines.join('\n');
}
