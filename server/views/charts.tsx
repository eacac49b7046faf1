import type { CountMilestone } from '../../shared/schemas/plan.ts';
import type { Locale } from '../i18n/locale.ts';

/*
 * Charts are SVG drawn on the server: no script, no library, they print, and screen readers get the
 * figures from the aria-label and the table beside each chart.
 */
const W = 480;
const H = 208;
const PAD = { left: 56, right: 12, top: 16, bottom: 24 };
const plotW = W - PAD.left - PAD.right;
const plotH = H - PAD.top - PAD.bottom;
/** The frame every chart shares, so charts drawn elsewhere line up with these. */
export const chartBox = { W, H, PAD, plotW, plotH } as const;

/** How a legend entry's sample is drawn: a filled bar, or a line (dashed where the chart dashes it). */
export type LegendSwatch = { bar: string } | { line: string; dash?: string; width?: number };

/**
 * A chart's legend as HTML under the drawing: entries wrap as text does, so a long label (English, a large
 * target) never runs into the next one or into the axis labels, at any width (decision 167).
 */
export function ChartLegend(props: { entries: { swatch: LegendSwatch; label: string }[] }) {
  return (
    <ul class="chart-legend">
      {props.entries.map(({ swatch, label }) => (
        <li>
          <svg width="16" height="10" aria-hidden="true">
            {'bar' in swatch ? (
              <rect width="10" height="10" x="3" fill={swatch.bar} />
            ) : (
              <line
                x1="0"
                x2="16"
                y1="5"
                y2="5"
                stroke={swatch.line}
                stroke-dasharray={swatch.dash}
                stroke-width={String(swatch.width ?? 2)}
              />
            )}
          </svg>
          {label}
        </li>
      ))}
    </ul>
  );
}

/** A round axis maximum at or above the value. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((m) => m >= value)!;
}

/** Horizontal grid lines with their values. */
export function YAxis(props: { max: number; locale: Locale }) {
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * props.max);
  return (
    <g>
      {ticks.map((v) => {
        const y = PAD.top + plotH - (v / props.max) * plotH;
        return (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y} y2={y} stroke="#d0d7de" stroke-width="1" />
            <text x={PAD.left - 6} y={y + 4} text-anchor="end">
              {props.locale.number(v)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Plan milestones (cumulative, per year) as grey bars and the figure now as a blue bar (labelled measured, or declared). */
export function ProgressChart(props: {
  locale: Locale;
  title: string;
  milestones: CountMilestone[];
  target: number;
  actual: number;
  asOf: string;
  actualLabel?: string;
}) {
  const { locale } = props;
  const bars = [
    ...props.milestones.map((m) => ({ label: String(m.year), value: m.cumulative, actual: false })),
    { label: locale.date(props.asOf), value: props.actual, actual: true },
  ];
  const max = niceMax(Math.max(props.target, props.actual));
  const slot = plotW / bars.length;
  const targetY = PAD.top + plotH - (props.target / max) * plotH;
  const summary = `${props.title}: ${bars.map((b) => `${b.label} ${locale.number(b.value)}`).join(', ')}; ${locale.t('figure.ofTarget')} ${locale.number(props.target)}`;
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <YAxis max={max} locale={locale} />
        {bars.map((b, i) => {
          const h = (b.value / max) * plotH;
          const x = PAD.left + i * slot + slot * 0.2;
          return (
            <g>
              <rect
                x={x}
                y={PAD.top + plotH - h}
                width={slot * 0.6}
                height={h}
                fill={b.actual ? '#0b5cad' : '#9aa4ae'}
              />
              <text x={x + slot * 0.3} y={PAD.top + plotH - h - 4} text-anchor="middle">
                {locale.number(b.value)}
              </text>
              <text x={x + slot * 0.3} y={H - PAD.bottom + 16} text-anchor="middle">
                {b.label}
              </text>
            </g>
          );
        })}
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={targetY}
          y2={targetY}
          stroke="#cf222e"
          stroke-dasharray="6 4"
          stroke-width="1.5"
        />
        <text
          x={W - PAD.right}
          y={targetY - 4}
          text-anchor="end"
          fill="#cf222e"
        >{`${locale.t('figure.ofTarget')} ${locale.number(props.target)}`}</text>
      </svg>
      <ChartLegend
        entries={[
          { swatch: { bar: '#9aa4ae' }, label: locale.t('chart.milestone') },
          { swatch: { bar: '#0b5cad' }, label: props.actualLabel ?? locale.t('chart.actual') },
        ]}
      />
    </figure>
  );
}

/** Daily median download speed as a line, with the school's bandwidth standard dashed. */
export function BandwidthChart(props: {
  locale: Locale;
  days: { day: string; medianDownMbps: number }[];
  standardMbps: number | null;
}) {
  const { locale, days } = props;
  const title = locale.t('chart.bandwidth');
  if (days.length === 0) return <p class="meta">{`${title}: ${locale.t('chart.noData')}`}</p>;
  const max = niceMax(Math.max(props.standardMbps ?? 0, ...days.map((d) => d.medianDownMbps)));
  const step = days.length > 1 ? plotW / (days.length - 1) : 0;
  const point = (d: { medianDownMbps: number }, i: number) =>
    [PAD.left + (days.length > 1 ? i * step : plotW / 2), PAD.top + plotH - (d.medianDownMbps / max) * plotH] as const;
  const points = days.map((d, i) => point(d, i).join(',')).join(' ');
  const standardY = props.standardMbps === null ? null : PAD.top + plotH - (props.standardMbps / max) * plotH;
  const labelEvery = Math.max(1, Math.ceil(days.length / 6));
  const summary = `${title}: ${days.map((d) => `${d.day} ${locale.number(d.medianDownMbps, 1)}`).join(', ')}`;
  return (
    <figure>
      <figcaption>{title}</figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <YAxis max={max} locale={locale} />
        {standardY !== null && (
          <g>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={standardY}
              y2={standardY}
              stroke="#cf222e"
              stroke-dasharray="6 4"
              stroke-width="1.5"
            />
            <text
              x={W - PAD.right}
              y={standardY - 4}
              text-anchor="end"
              fill="#cf222e"
            >{`${locale.t('chart.standard')} ${locale.number(props.standardMbps)}`}</text>
          </g>
        )}
        <polyline points={points} fill="none" stroke="#0b5cad" stroke-width="2" />
        {days.map((d, i) => {
          const [x, y] = point(d, i);
          return (
            <g>
              <circle cx={x} cy={y} r="3" fill="#0b5cad" />
              {i % labelEvery === 0 && (
                // The first day's label starts at the axis and the last ends at the edge, so neither runs into the
                // axis's "0" or out of the chart when the days reach both ends.
                <text x={x} y={H - PAD.bottom + 16} text-anchor={dayLabelAnchor(i, days.length)}>
                  {d.day.slice(5)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
    </figure>
  );
}

/** A day label's anchor: a lone day sits in the middle; the first and last of several hug their ends. */
function dayLabelAnchor(i: number, days: number): 'start' | 'middle' | 'end' {
  if (days < 2) return 'middle';
  if (i === 0) return 'start';
  return i === days - 1 ? 'end' : 'middle';
}
