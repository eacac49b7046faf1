import type { Coverage, MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';
import type { Locale } from '../i18n/locale.ts';
import type { Column } from './table.tsx';

type EquippedBy = Coverage['classrooms']['equippedBy'];

/** Equipped classrooms by presentation kind, one column each: county rows and school rows alike. */
export function equippedByColumns<Row extends { classrooms: { equippedBy: EquippedBy } }>(): Column<Row>[] {
  return [
    {
      label: 'col.equippedProjector',
      value: (r) => r.classrooms.equippedBy.projector,
      numeric: true,
      sortKey: 'equippedProjector',
    },
    {
      label: 'col.equippedInteractivePanel',
      value: (r) => r.classrooms.equippedBy.interactivePanel,
      numeric: true,
      sortKey: 'equippedPanel',
    },
    {
      label: 'col.equippedLargeDisplay',
      value: (r) => r.classrooms.equippedBy.largeDisplay,
      numeric: true,
      sortKey: 'equippedLarge',
    },
  ];
}

/** "projector a · interactive panel b · large display c", the equipped count taken apart. */
export function equippedByWords(
  locale: Locale,
  by: EquippedBy,
  key: 'figure.equippedBy' | 'evidence.equippedBy' = 'figure.equippedBy',
): string {
  return locale.fill(key, {
    projector: locale.number(by.projector),
    panel: locale.number(by.interactivePanel),
    large: locale.number(by.largeDisplay),
  });
}

/** A progress bar for a table cell: part of whole, with the percentage as text beside it. */
export function Bar(props: { locale: Locale; part: number; whole: number }) {
  const share = props.whole > 0 ? Math.min(1, props.part / props.whole) : 0;
  return (
    <span>
      <span class="bar" aria-hidden="true">
        <span style={`width:${(share * 100).toFixed(1)}%`} />
      </span>
      <span class="figure-text">{`${props.locale.number(props.part)} (${props.locale.percent(props.part, props.whole)})`}</span>
    </span>
  );
}

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
  target: boolean;
  /** The plan's target as a share of registered units (a province's or the nation's), shown beside the count. */
  targetShare?: number | null;
  declared?: number;
  conflicts?: number;
  /** A breakdown of the measured value, shown under it. */
  parts?: string;
}

/**
 * What a headline count is measured against: an absolute target (the root of a plan with counts), else the
 * registered units, with the share target (if the plan sets one) to be shown beside the percentage.
 */
function against(figures: { target: number | null; targetShare: number | null; registered: number }) {
  if (figures.targetShare === null && figures.target !== null)
    return { of: figures.target, target: true, targetShare: null };
  return { of: figures.registered, target: false, targetShare: figures.targetShare };
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
      ...against(coverage.schools),
      declared: coverage.schools.declaredConnected,
      conflicts: coverage.schools.declarationConflicts,
    },
    {
      label: t('figure.meetingStandard'),
      value: coverage.schools.meetingStandard,
      of: coverage.schools.registered,
      target: false,
    },
    {
      label: t('figure.classroomsEquipped'),
      value: coverage.classrooms.equipped,
      ...against(coverage.classrooms),
      declared: coverage.classrooms.declaredEquipped,
      parts: equippedByWords(locale, coverage.classrooms.equippedBy),
    },
    { label: t('figure.devicesLive'), value: coverage.devices.live, of: coverage.devices.enrolled, target: false },
  ];
  return (
    <>
      <ul class="figures">
        {items.map((item) => (
          <li class="figure">
            <div class="label">
              {item.label} <span class="tag measured">{t('tag.measured')}</span>
            </div>
            <div class="value">
              {locale.number(item.value)}
              <span class="of">{` / ${locale.number(item.of)}`}</span>
            </div>
            <div class="meta">
              {`${locale.percent(item.value, item.of)} ${item.target ? t('figure.ofTarget') : t('figure.ofRegistered')}`}
              {item.targetShare != null && (
                <span class="target-share">{` · ${locale.fill('figure.targetShare', { share: locale.percent(item.targetShare, 1) })}`}</span>
              )}
            </div>
            {item.parts && <div class="meta equipped-by">{item.parts}</div>}
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
    { label: t('figure.schoolsConnected'), p: props.progress.schoolsConnected },
    { label: t('figure.classroomsEquipped'), p: props.progress.classroomsEquipped },
  ];
  return (
    <ul class="progress-lines">
      {parts.map(({ label, p }) => (
        <li>
          {`${label} · ${props.progress.year}: ${t('progress.measured')} ${p.measuredShare === null ? t('value.none') : locale.percent(p.measuredShare, 1)} / ${t('progress.expected')} ${locale.percent(p.expectedShare, 1)} — `}
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
