import type { Coverage, MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';
import type { Child } from 'hono/jsx';
import type { Locale, ShareBase } from '../i18n/locale.ts';
import { DevicesBy, EquippedBy } from './count-parts.tsx';
import type { SumGroup } from './table.tsx';

/** A declared-only count for a table cell: blank when zero, tagged 申报 otherwise, so it is never read as measured. */
export function DeclaredCell(props: { locale: Locale; count: number; conflicts?: number }) {
  if (props.count === 0 && !props.conflicts) return <span class="meta">{props.locale.number(0)}</span>;
  return (
    <span>
      <span class="tag declared">{props.locale.t('tag.declared')}</span>
      {` ${props.locale.number(props.count)}`}
      {props.conflicts ? (
        <span class="tag conflict">{`${props.locale.t('tag.conflict')} ${props.locale.number(props.conflicts)}`}</span>
      ) : null}
    </span>
  );
}

/** Why claimed speeds do not count, in words (decision 085); empty when none were flagged. */
export function flagReasonText(locale: Locale, reasons: readonly SampleFlag[]): string {
  return reasons.map((reason) => locale.t(`flag.${reason}`)).join(locale.t('list.separator'));
}

/** Whose measurement a bandwidth figure is, in words; empty when there is none. */
export function sourceText(locale: Locale, source: MeasurementSource | null): string {
  return source === null ? '' : locale.t(`source.${source}`);
}

/** A count of implausible speed tests for a table cell: plain zero, or tagged 存疑 so it stands out. */
export function FlaggedCell(props: { locale: Locale; count: number }) {
  if (props.count === 0) return <span class="meta">{props.locale.number(0)}</span>;
  return <span class="tag conflict">{`${props.locale.t('tag.flagged')} ${props.locale.number(props.count)}`}</span>;
}

interface Headline {
  label: string;
  value: number;
  of: number;
  /** What the percentage is a share of: the target, or the registered units the value counts. */
  base: ShareBase;
  /** The plan's target as a share of registered units (a province's or the nation's), shown beside the count. */
  targetShare?: number | null;
  declared?: number;
  conflicts?: number;
  /** The value (or `of`) taken apart, shown under it: the parts of `group` add up to `total` (decision 165). */
  parts?: { node: Child; group: SumGroup; total: 'value' | 'of' };
  /** What the figure means when its words could be misread. */
  note?: string;
}

/**
 * What a headline count is measured against: an absolute target (the root of a plan with counts), else the
 * registered units, with the share target (if the plan sets one) to be shown beside the percentage.
 */
function against(
  figures: { target: number | null; targetShare: number | null; registered: number },
  registered: ShareBase,
) {
  if (figures.targetShare === null && figures.target !== null)
    return { of: figures.target, base: 'target' as const, targetShare: null };
  return { of: figures.registered, base: registered, targetShare: figures.targetShare };
}

/**
 * The headline figures of a coverage read: measured counts against the plan's absolute target (or what is
 * registered, with a share target stated beside the percentage), with declared-only counts beside them,
 * never added in, and conflicts highlighted.
 */
export function HeadlineFigures(props: { locale: Locale; coverage: Coverage; conflictHref?: string }) {
  const { locale, coverage } = props;
  const t = locale.t;
  const items: Headline[] = [
    {
      label: t('figure.schoolsConnected'),
      value: coverage.schools.connected,
      ...against(coverage.schools, 'schools'),
      declared: coverage.schools.declaredConnected,
      conflicts: coverage.schools.declarationConflicts,
    },
    {
      label: t('figure.meetingStandard'),
      value: coverage.schools.meetingStandard,
      of: coverage.schools.registered,
      base: 'schools',
    },
    {
      label: t('figure.classroomsEquipped'),
      value: coverage.classrooms.equipped,
      ...against(coverage.classrooms, 'classrooms'),
      declared: coverage.classrooms.declaredEquipped,
      parts: {
        node: <EquippedBy locale={locale} by={coverage.classrooms.equippedBy} message="figure.equippedBy" />,
        group: 'equipped',
        total: 'value',
      },
    },
    {
      label: t('figure.devicesLive'),
      value: coverage.devices.live,
      of: coverage.devices.enrolled,
      base: 'devices',
      parts: {
        node: <DevicesBy locale={locale} devices={coverage.devices} message="figure.devicesBy" />,
        group: 'devices',
        total: 'of',
      },
      note: t('figure.reportingNote'),
    },
  ];
  return (
    <>
      <ul class="figures">
        {items.map((item) => (
          <li class="figure" data-sum={item.parts ? '' : undefined}>
            <div class="label">
              {item.label} <span class="tag measured">{t('tag.measured')}</span>
            </div>
            <div class="value">
              <span data-total={item.parts?.total === 'value' ? item.parts.group : undefined}>
                {locale.number(item.value)}
              </span>
              <span class="of">
                {' / '}
                <span data-total={item.parts?.total === 'of' ? item.parts.group : undefined}>
                  {locale.number(item.of)}
                </span>
              </span>
            </div>
            <div class="meta">
              {locale.share(item.value, item.of, item.base)}
              {item.targetShare != null && (
                <span class="target-share">{` · ${locale.fill('figure.targetShare', { share: locale.share(item.targetShare, 1, item.base) })}`}</span>
              )}
            </div>
            {item.parts && <div class="meta equipped-by">{item.parts.node}</div>}
            {item.note && <div class="meta">{item.note}</div>}
            {item.declared !== undefined && (
              <div class="declared-line">
                <span class="tag declared">{t('tag.declared')}</span>
                {` ${locale.fill('figure.declaredOnly', { n: locale.number(item.declared) })}`}
              </div>
            )}
            {item.conflicts ? (
              <div class="conflict-line" role="note">
                {props.conflictHref ? (
                  <a href={props.conflictHref}>
                    {locale.fill('figure.conflicts', { n: locale.number(item.conflicts) })}
                  </a>
                ) : (
                  locale.fill('figure.conflicts', { n: locale.number(item.conflicts) })
                )}
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <p class="meta">{`${t('figure.asOf')} ${locale.dateTime(coverage.asOf)} · ${t('figure.window')} ${coverage.evidenceWindowDays} · ${t('figure.declaredNote')}`}</p>
    </>
  );
}

type Progress = Coverage['progress'];

/** This year's standing against the plan, measured only: each indicator's share done, the share due, and on track or behind. */
export function ProgressLine(props: { locale: Locale; progress: Progress }) {
  const { locale } = props;
  const t = locale.t;
  const parts = [
    { label: t('figure.schoolsConnected'), p: props.progress.schoolsConnected, base: 'schools' as const },
    { label: t('figure.classroomsEquipped'), p: props.progress.classroomsEquipped, base: 'classrooms' as const },
  ];
  return (
    <ul class="progress-lines">
      {parts.map(({ label, p, base }) => (
        <li>
          {`${label} · ${props.progress.year}: ${t('progress.measured')} ${p.measuredShare === null ? t('value.none') : locale.share(p.measuredShare, 1, base)} / ${t('progress.expected')} ${locale.share(p.expectedShare, 1, base)} — `}
          <ProgressBadge locale={locale} status={p.status} />
        </li>
      ))}
    </ul>
  );
}

/** On track / behind / no data, as a coloured word (the word carries the meaning, not the colour). */
export function ProgressBadge(props: { locale: Locale; status: Progress['schoolsConnected']['status'] }) {
  return <span class={`progress-${props.status}`}>{props.locale.t(`progress.${props.status}`)}</span>;
}
