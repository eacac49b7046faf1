import { beijingTime, type AgentLang } from './lang.ts';
import type { ReportSummary } from './report-summary.ts';
import { wordsFor } from './words.ts';

/** One display as the teacher reads it: kind in words, maker and model, size in cm and inches. */
export function displayLine(d: ReportSummary['displays'][number], lang: AgentLang): string {
  const w = wordsFor(lang);
  const name = [d.vendor, d.model].filter((part) => part !== null).join(' ');
  let size: string | null = null;
  if (d.widthCm !== null && d.heightCm !== null) {
    // 0 × 0 is how a projector says it has no fixed size (E-EDID 1.4 §3.6.2).
    size =
      d.widthCm <= 1 || d.heightCm <= 1
        ? w.noSize
        : w.size(`${d.widthCm} × ${d.heightCm}`, (Math.hypot(d.widthCm, d.heightCm) / 2.54).toFixed(0));
  }
  return [w.kind[d.kind], name || null, size].filter((part) => part !== null).join(' · ');
}

/** Rounds a figure for people: whole numbers from 10 up, one decimal below. */
function figure(n: number | null): string {
  if (n === null) return '–';
  return n >= 10 ? n.toFixed(0) : n.toFixed(1);
}

/** The facts of a report, one labelled line each (displays one per line below their label). */
export function summaryLines(s: ReportSummary, lang: AgentLang): string[] {
  const w = wordsFor(lang);
  const internet = s.internet.reachable
    ? w.reachable(s.internet.latencyMs === null ? null : figure(s.internet.latencyMs))
    : w.unreachable;
  const speed =
    'skipped' in s.speedTest
      ? w.speedSkipped[s.speedTest.skipped]
      : w.speed(
          figure(s.speedTest.downMbps),
          figure(s.speedTest.upMbps),
          s.speedTest.measuredAt ? beijingTime(s.speedTest.measuredAt, lang) : null,
        );
  const displays =
    s.displays.length === 0 ? [w.noDisplay] : s.displays.map((d, i) => `${i + 1}. ${displayLine(d, lang)}`);
  return [
    labelled(w.label.internet, internet),
    labelled(w.label.speed, speed),
    labelled(w.label.displays, displays[0]!),
    ...displays.slice(1).map((line) => labelled('', line)),
  ];
}

/** A label padded so the values line up; CJK labels count double, as a terminal shows them. */
export function labelled(label: string, value: string): string {
  const width = [...label].reduce((n, ch) => n + (/[\u3000-\u9fff\uff00-\uffef]/.test(ch) ? 2 : 1), 0);
  return `${label}${' '.repeat(Math.max(1, 14 - width))}${value}`;
}
