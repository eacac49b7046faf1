import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { displaysFromEdids } from '../../agent/collect/display-list.ts';
import { displayKinds, displayKindSchema, presentationDisplayKinds, type DisplayKind } from '../../shared/schemas/report.ts';

/**
 * Issue 17's goals, checked on real EDIDs (test/agent/edid-corpus/, labelled from what each product is).
 * The corpus is split by a hash of its source path: `tune` is what the rules were shaped on, `check` was only
 * looked at for the figures. Both must meet the goals, with and without the connector name.
 */
type Entry = { kind: DisplayKind; touch: boolean; source: string; edid: Uint8Array; split: 'tune' | 'check' };

const corpus: Entry[] = readFileSync(new URL('./edid-corpus/linuxhw.tsv', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line && !line.startsWith('#'))
  .map((line) => {
    const [kind, touch, source, , hex] = line.split('\t') as [DisplayKind, string, string, string, string];
    const split = (createHash('sha256').update(source).digest()[0] ?? 0) % 2 === 0 ? 'tune' : 'check';
    return { kind, touch: touch === 'touch', source, edid: Uint8Array.from(Buffer.from(hex, 'hex')), split };
  });

/** What a laptop panel or a classroom display hangs on when the OS names the connector (Linux DRM). */
const connectorOf = (kind: DisplayKind): string => (kind === 'builtin' ? 'eDP-1' : 'HDMI-A-1');

function judge(entries: readonly Entry[], withConnector: boolean) {
  return entries.map((e) => {
    const [display] = displaysFromEdids([{ edid: e.edid, ...(withConnector ? { connection: connectorOf(e.kind) } : {}) }], { touch: e.touch });
    return { entry: e, got: displayKindSchema.parse(display?.kind ?? 'unknown') };
  });
}

function figures(results: ReturnType<typeof judge>) {
  const matrix = new Map<string, number>();
  for (const { entry, got } of results) matrix.set(`${entry.kind}>${got}`, (matrix.get(`${entry.kind}>${got}`) ?? 0) + 1);
  const count = (f: (r: (typeof results)[number]) => boolean) => results.filter(f).length;
  const isPresentation = (k: DisplayKind) => presentationDisplayKinds.includes(k);
  const share = (hit: number, of: number) => (of === 0 ? 1 : hit / of);
  const recall = (k: DisplayKind) => share(count((r) => r.entry.kind === k && r.got === k), count((r) => r.entry.kind === k));
  const precision = (k: DisplayKind) => share(count((r) => r.got === k && r.entry.kind === k), count((r) => r.got === k));
  return {
    matrix, recall, precision,
    presentationFound: share(count((r) => isPresentation(r.entry.kind) && isPresentation(r.got)), count((r) => isPresentation(r.entry.kind))),
    deskTakenForPresentation: share(
      count((r) => (r.entry.kind === 'monitor' || r.entry.kind === 'builtin') && isPresentation(r.got)),
      count((r) => r.entry.kind === 'monitor' || r.entry.kind === 'builtin'),
    ),
  };
}

function print(title: string, f: ReturnType<typeof figures>, results: ReturnType<typeof judge>) {
  const kinds = displayKinds;
  const lines = [`${title}: ${results.length} displays; rows = real kind, columns = classified`];
  lines.push(['', ...kinds].map((k) => k.padStart(18)).join(''));
  for (const real of kinds) {
    if (!results.some((r) => r.entry.kind === real)) continue;
    lines.push([real, ...kinds.map((got) => String(f.matrix.get(`${real}>${got}`) ?? 0))].map((c) => c.padStart(18)).join(''));
  }
  for (const k of kinds) {
    if (results.some((r) => r.entry.kind === k)) lines.push(`${k}: precision ${(f.precision(k) * 100).toFixed(1)}%, recall ${(f.recall(k) * 100).toFixed(1)}%`);
  }
  lines.push(`presentation displays found ${(f.presentationFound * 100).toFixed(1)}%; desk monitors and laptop panels taken for presentation displays ${(f.deskTakenForPresentation * 100).toFixed(1)}%`);
  for (const r of results.filter((x) => x.entry.kind !== x.got)) lines.push(`  wrong: ${r.entry.kind} → ${r.got}  ${r.entry.source}`);
  console.log(lines.join('\n'));
}

describe('classifier on real EDIDs (issue 17 goals)', () => {
  it('has a corpus big enough for the percentages to mean something', () => {
    const count = (k: DisplayKind) => corpus.filter((e) => e.kind === k).length;
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    expect(count('projector')).toBeGreaterThanOrEqual(60);
    expect(count('interactive-panel') + count('large-display')).toBeGreaterThanOrEqual(40);
    expect(count('monitor')).toBeGreaterThanOrEqual(80);
    expect(count('builtin')).toBeGreaterThanOrEqual(40);
  });

  for (const split of ['tune', 'check'] as const) {
    for (const withConnector of [true, false]) {
      it(`meets the goals on the ${split} half, ${withConnector ? 'with' : 'without'} the connector name`, () => {
        const results = judge(corpus.filter((e) => e.split === split), withConnector);
        const f = figures(results);
        print(`${split} half, ${withConnector ? 'with' : 'without'} connector`, f, results);
        expect(f.presentationFound).toBeGreaterThanOrEqual(0.95);
        expect(f.deskTakenForPresentation).toBeLessThanOrEqual(0.03);
        for (const k of ['projector', 'interactive-panel', 'monitor', 'builtin'] as const) expect(f.recall(k), k).toBeGreaterThanOrEqual(0.9);
      });
    }
  }
});
