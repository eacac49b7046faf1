import type { Coverage } from '../../shared/schemas/coverage.ts';
import type { Plan } from '../../shared/schemas/plan.ts';
import type { PlatformCoverage } from '../../shared/schemas/platforms.ts';
import type { TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import type { Viewer } from '../access/principals.ts';
import { Bar, DeclaredCell, equippedByColumns, HeadlineFigures, ProgressBadge, ProgressLine } from './figures.tsx';
import type { Locale } from '../i18n/locale.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { PlanLineChart, type MeasuredPoint } from './plan-chart.tsx';
import { PlatformsSection, TeacherSpacesSection } from './programme-sections.tsx';
import { DataTable, type Column, type Sorting } from './table.tsx';

export type CountyRow = Coverage['counties'][number];

/** The county table's columns, shared by the page and its CSV/XLSX export; declared counts sit in their own columns. */
export function countyColumns(locale: Locale): Column<CountyRow>[] {
  const t = locale.t;
  return [
    { label: 'col.code', value: (r) => r.code, sortKey: 'code' },
    {
      label: 'col.county',
      value: (r) => locale.divisionName(r),
      cell: (r) => <a href={`/counties/${r.code}`}>{locale.divisionName(r)}</a>,
      sortKey: 'name',
    },
    { label: 'col.schools', value: (r) => r.schools.registered, numeric: true, sortKey: 'schools' },
    {
      label: 'col.schoolsConnected',
      value: (r) => r.schools.connected,
      cell: (r) => <Bar locale={locale} part={r.schools.connected} whole={r.schools.registered} />,
      sortKey: 'connected',
    },
    {
      label: 'col.declaredConnected',
      value: (r) => r.schools.declaredConnected,
      cell: (r) => (
        <DeclaredCell locale={locale} count={r.schools.declaredConnected} conflicts={r.schools.declarationConflicts} />
      ),
      sortKey: 'declared',
    },
    {
      label: 'col.declarationConflicts',
      value: (r) => r.schools.declarationConflicts,
      numeric: true,
      sortKey: 'conflicts',
    },
    {
      label: 'col.progressSchools',
      value: (r) => t(`progress.${r.progress.schoolsConnected.status}`),
      cell: (r) => <ProgressBadge locale={locale} status={r.progress.schoolsConnected.status} />,
      sortKey: 'progress',
    },
    {
      label: 'col.meetsStandard',
      value: (r) => r.schools.meetingStandard,
      cell: (r) => <Bar locale={locale} part={r.schools.meetingStandard} whole={r.schools.registered} />,
      sortKey: 'standard',
    },
    { label: 'col.classrooms', value: (r) => r.classrooms.registered, numeric: true, sortKey: 'classrooms' },
    {
      label: 'col.classroomsEquipped',
      value: (r) => r.classrooms.equipped,
      cell: (r) => <Bar locale={locale} part={r.classrooms.equipped} whole={r.classrooms.registered} />,
      sortKey: 'equipped',
    },
    ...equippedByColumns<CountyRow>(),
    {
      label: 'col.declaredEquipped',
      value: (r) => r.classrooms.declaredEquipped,
      cell: (r) => <DeclaredCell locale={locale} count={r.classrooms.declaredEquipped} />,
      sortKey: 'declaredEquipped',
    },
    {
      label: 'col.progressClassrooms',
      value: (r) => t(`progress.${r.progress.classroomsEquipped.status}`),
      cell: (r) => <ProgressBadge locale={locale} status={r.progress.classroomsEquipped.status} />,
      sortKey: 'progressClassrooms',
    },
    { label: 'col.devices', value: (r) => r.devices.enrolled, numeric: true, sortKey: 'devices' },
    { label: 'col.devicesLive', value: (r) => r.devices.live, numeric: true, sortKey: 'live' },
    { label: 'col.devicesAtRisk', value: (r) => r.devices.atRisk, numeric: true, sortKey: 'atRisk' },
    { label: 'col.devicesSilent', value: (r) => r.devices.silent, numeric: true, sortKey: 'silent' },
  ];
}

interface OverviewProps {
  locale: Locale;
  viewer: Viewer;
  path: string;
  coverage: Coverage;
  plan: Plan;
  rows: CountyRow[];
  sorting: Sorting;
  query: string;
  now: number;
  /** The prefecture's daily snapshots, oldest first. */
  history: { schools: MeasuredPoint[]; classrooms: MeasuredPoint[] };
  spaces: TeacherSpaces;
  platforms: PlatformCoverage;
}

/** The prefecture overview: headline figures (measured, declared beside), progress over time, the counties, 人人通 and 两平台. */
export function OverviewPage(props: OverviewProps) {
  const { locale, coverage, plan } = props;
  const t = locale.t;
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={t('overview.title')}>
      <h1>{`${t('overview.title')} · ${locale.divisionName(plan.root)}`}</h1>
      <p class="meta">{plan.name}</p>
      <HeadlineFigures locale={locale} coverage={coverage} conflictHref="/declarations?conflict=true" />
      <h2>{t('chart.progress')}</h2>
      <ProgressLine locale={locale} progress={coverage.progress} />
      <div class="charts">
        <PlanLineChart
          locale={locale}
          title={t('figure.schoolsConnected')}
          indicator={plan.indicators.schoolsConnected}
          target={coverage.schools.target ?? coverage.schools.registered}
          history={props.history.schools}
          now={props.now}
          measuredNow={coverage.schools.connected}
        />
        <PlanLineChart
          locale={locale}
          title={t('figure.classroomsEquipped')}
          indicator={plan.indicators.classroomsEquipped}
          target={coverage.classrooms.target ?? coverage.classrooms.registered}
          history={props.history.classrooms}
          now={props.now}
          measuredNow={coverage.classrooms.equipped}
        />
      </div>
      <h2 id="counties">{t('overview.counties')}</h2>
      <ExportLinks locale={locale} base="/counties" query={props.query} />
      <DataTable
        locale={locale}
        caption={t('overview.counties')}
        columns={countyColumns(locale)}
        rows={props.rows}
        sorting={props.sorting}
        id="county-table"
      />
      <TeacherSpacesSection locale={locale} spaces={props.spaces} asOf={coverage.asOf} />
      <PlatformsSection locale={locale} coverage={props.platforms} linkToList />
    </Layout>
  );
}
