import type { PlatformCoverage } from '../../shared/schemas/platforms.ts';
import type { TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import { ProgressChart } from './charts.tsx';
import { Bar } from './count-parts.tsx';
import type { Locale } from '../i18n/locale.ts';
import { DataTable, type Column } from './table.tsx';

/*
 * The other parts of 三通两平台 on the overview: teacher spaces (declared only; no agent can measure
 * them) and the two platforms (built is declared, reachable is probed). Each figure says which it is.
 */
type CountySpaces = TeacherSpaces['counties'][number];
type Level = PlatformCoverage['levels'][number];

/** Teacher-space columns per county (page). */
export function teacherSpaceColumns(locale: Locale): Column<CountySpaces>[] {
  return [
    {
      label: 'col.county',
      value: (r) => locale.divisionName(r),
      cell: (r) => <a href={`/counties/${r.code}`}>{locale.divisionName(r)}</a>,
    },
    { label: 'col.teachers', value: (r) => r.teachers, numeric: true },
    {
      label: 'col.spacesOpened',
      value: (r) => r.opened,
      cell: (r) => <Bar locale={locale} part={r.opened} whole={r.teachers} base="teachers" />,
    },
    { label: 'col.spacesVerified', value: (r) => r.verified, numeric: true },
    { label: 'col.schoolsDeclared', value: (r) => r.schoolsDeclared, numeric: true },
  ];
}

/** 人人通: declared spaces against the plan's target and milestones, and per county. */
export function TeacherSpacesSection(props: { locale: Locale; spaces: TeacherSpaces; asOf: string }) {
  const { locale, spaces } = props;
  const t = locale.t;
  return (
    <section aria-labelledby="teacher-spaces">
      <h2 id="teacher-spaces">
        {t('spaces.title')} <span class="tag declared">{t('tag.declared')}</span>
      </h2>
      <p class="meta">{t('spaces.note')}</p>
      <ul class="figures">
        <li class="figure">
          <div class="label">{t('spaces.opened')}</div>
          <div class="value">
            {locale.number(spaces.opened)}
            {spaces.target !== null && <span class="of">{` / ${locale.number(spaces.target)}`}</span>}
          </div>
          <div class="meta">{spaces.target !== null ? locale.share(spaces.opened, spaces.target, 'target') : ''}</div>
        </li>
        <li class="figure">
          <div class="label">{t('spaces.verified')}</div>
          <div class="value">{locale.number(spaces.verified)}</div>
          <div class="meta">{locale.share(spaces.verified, spaces.opened, 'spacesOpened')}</div>
        </li>
        <li class="figure">
          <div class="label">{t('spaces.teachers')}</div>
          <div class="value">{locale.number(spaces.teachers)}</div>
          <div class="meta">{locale.fill('spaces.schoolsDeclared', { n: locale.number(spaces.schoolsDeclared) })}</div>
        </li>
      </ul>
      {spaces.target !== null && (
        <div class="charts">
          <ProgressChart
            locale={locale}
            title={t('spaces.opened')}
            milestones={spaces.milestones}
            target={spaces.target}
            actual={spaces.opened}
            asOf={props.asOf}
            actualLabel={t('chart.declared')}
          />
        </div>
      )}
      <DataTable
        locale={locale}
        caption={`${t('spaces.title')} · ${t('tag.declared')}`}
        columns={teacherSpaceColumns(locale)}
        rows={spaces.counties}
        id="teacher-space-table"
      />
    </section>
  );
}

/** Platform coverage columns per level: declared built and measured reachable, never combined. */
export function platformLevelColumns(locale: Locale): Column<Level>[] {
  const t = locale.t;
  return [
    { label: 'col.level', value: (r) => t(`level.${r.level}`) },
    { label: 'col.dueBy', value: (r) => (r.dueBy === null ? null : String(r.dueBy)) },
    { label: 'col.units', value: (r) => r.units, numeric: true },
    { label: 'col.expected', value: (r) => r.expected, numeric: true },
    { label: 'col.resourceBuilt', value: (r) => r.resource.declaredBuilt, numeric: true },
    { label: 'col.resourceReachable', value: (r) => r.resource.reachable, numeric: true },
    { label: 'col.managementBuilt', value: (r) => r.management.declaredBuilt, numeric: true },
    { label: 'col.managementReachable', value: (r) => r.management.reachable, numeric: true },
  ];
}

/** 两平台: per level, how many units should have each platform by now, how many are declared built and how many answer probes. */
export function PlatformsSection(props: { locale: Locale; coverage: PlatformCoverage; linkToList: boolean }) {
  const { locale } = props;
  const t = locale.t;
  return (
    <section aria-labelledby="platforms">
      <h2 id="platforms">{t('platforms.title')}</h2>
      <p class="meta">{t('platforms.note')}</p>
      <DataTable
        locale={locale}
        caption={t('platforms.byLevel')}
        columns={platformLevelColumns(locale)}
        rows={props.coverage.levels}
        id="platform-level-table"
      />
      {props.linkToList && (
        <p class="no-print">
          <a href="/platforms">{t('platforms.list')}</a>
        </p>
      )}
    </section>
  );
}
