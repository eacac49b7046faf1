import type { CountIndicator } from '../../shared/schemas/plan.ts';
import { endOfLocalDay, localYear as yearOf, startOfLocalYear as yearStart } from '../../shared/time/china-time.ts';
import { expectedCumulative } from '../plan/milestones.ts';
import { ChartLegend, chartBox, niceMax, YAxis } from './charts.tsx';
import type { Locale, ShareBase } from '../i18n/locale.ts';

/*
 * Progress against the plan over time: the plan's expected cumulative count (interpolated within each
 * year, exactly as on-track/behind is judged) as a dashed grey line, and the measured count from the
 * daily snapshots as a blue line ending at the live figure. Declared counts are never drawn into it.
 */
const { W, H, PAD, plotW, plotH } = chartBox;

export interface MeasuredPoint {
  day: string;
  value: number;
}

/** The plan's expected count at every year boundary (and just before it, where the line jumps) from `from` to `to`. */
function planLine(indicator: CountIndicator & { target: number }, from: number, to: number): [number, number][] {
  const points: [number, number][] = [[from, expectedCumulative(indicator, from)]];
  for (let year = yearOf(from) + 1; yearStart(year) < to; year++) {
    points.push(
      [yearStart(year) - 1, expectedCumulative(indicator, yearStart(year) - 1)],
      [yearStart(year), expectedCumulative(indicator, yearStart(year))],
    );
  }
  points.push([to, expectedCumulative(indicator, to)]);
  return points;
}

/** The measured curve (daily snapshots, then now) against the plan's interpolated milestones, with the target dashed red. */
export function PlanLineChart(props: {
  locale: Locale;
  title: string;
  indicator: CountIndicator;
  /** The target as a count: the plan's, or its share of the registered units (coverage's `target`). */
  target: number;
  /** The plan's target as a share (coverage's `targetShare`): the target line says it, and no yearly path is drawn. */
  targetShare?: number | null;
  /** What the units are, which a share target is a share of. */
  base: ShareBase;
  history: MeasuredPoint[];
  now: number;
  measuredNow: number;
}) {
  const { locale } = props;
  const indicator = { ...props.indicator, target: props.target };
  const t = locale.t;
  const years = indicator.milestones.map((m) => m.year);
  const firstYear = Math.min(
    ...years,
    props.history.length > 0 ? yearOf(endOfLocalDay(props.history[0]!.day) - 1) : yearOf(props.now),
    yearOf(props.now),
  );
  const lastYear = Math.max(...years, indicator.targetYear, yearOf(props.now));
  const from = yearStart(firstYear);
  const to = Math.max(yearStart(lastYear + 1), props.now);
  const measured: [number, number][] = [
    ...props.history.map((p) => [endOfLocalDay(p.day), p.value] as [number, number]),
    [props.now, props.measuredNow],
  ];
  const plan = planLine(indicator, from, to);
  const max = niceMax(Math.max(indicator.target, ...measured.map(([, v]) => v), ...plan.map(([, v]) => v)));
  const x = (at: number) => PAD.left + ((at - from) / (to - from)) * plotW;
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const path = (points: [number, number][]) =>
    points.map(([at, v]) => `${x(at).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  const yearCount = lastYear - firstYear + 1;
  const labelEvery = Math.max(1, Math.ceil(yearCount / 8));
  // A share target names no yearly path to it (decision 141): the target line alone is the plan.
  const share = props.targetShare ?? null;
  const targetWords =
    share === null
      ? `${t('figure.ofTarget')} ${locale.number(indicator.target)}`
      : locale.fill('chart.targetShare', {
          share: locale.share(share, 1, props.base),
          n: locale.number(indicator.target),
        });
  const plannedWords =
    share === null
      ? `, ${t('chart.planned')} ${locale.number(Math.round(expectedCumulative(indicator, props.now)))}`
      : '';
  const summary = `${props.title}: ${t('chart.measured')} ${locale.number(props.measuredNow)} (${locale.date(props.now)})${plannedWords}; ${targetWords}; ${locale.fill('chart.snapshots', { n: props.history.length })}`;
  const [lastX, lastY] = [x(props.now), y(props.measuredNow)];
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary}>
        <YAxis max={max} locale={locale} />
        {Array.from({ length: yearCount }, (_, i) => firstYear + i).map((year, i) =>
          i % labelEvery === 0 ? (
            <text x={x(yearStart(year))} y={H - PAD.bottom + 16} text-anchor="start">
              {String(year)}
            </text>
          ) : null,
        )}
        <line
          x1={PAD.left}
          x2={W - PAD.right}
          y1={y(indicator.target)}
          y2={y(indicator.target)}
          stroke="#cf222e"
          stroke-dasharray="6 4"
          stroke-width="1"
        />
        {share === null && (
          <polyline
            class="planned"
            points={path(plan)}
            fill="none"
            stroke="#6e7781"
            stroke-dasharray="4 3"
            stroke-width="2"
          />
        )}
        <polyline
          class="measured"
          data-points={String(measured.length)}
          points={path(measured)}
          fill="none"
          stroke="#0b5cad"
          stroke-width="2.5"
        />
        <circle cx={lastX} cy={lastY} r="3.5" fill="#0b5cad" />
      </svg>
      <ChartLegend
        entries={[
          ...(share === null ? [{ swatch: { line: '#6e7781', dash: '4 3' }, label: t('chart.planned') }] : []),
          { swatch: { line: '#0b5cad', width: 2.5 }, label: t('chart.measured') },
          { swatch: { line: '#cf222e', dash: '6 4', width: 1.5 }, label: targetWords },
        ]}
      />
    </figure>
  );
}
