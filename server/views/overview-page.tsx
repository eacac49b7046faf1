import type { Coverage } from '../../shared/schemas/coverage.ts';
import type { Plan } from '../../shared/schemas/plan.ts';
import type { Viewer } from '../accounts/page-auth.ts';
import { ProgressChart } from './charts.tsx';
import { Bar, HeadlineFigures } from './figures.tsx';
import type { Locale } from './i18n/locale.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { DataTable, type Column, type Sorting } from './table.tsx';

export type CountyRow = Coverage['counties'][number];

/** The county table's columns, shared by the page and its CSV/XLSX export. */
export function countyColumns(locale: Locale): Column<CountyRow>[] {
  return [
    { label: 'col.code', value: (r) => r.code, sortKey: 'code' },
    { label: 'col.county', value: (r) => locale.divisionName(r), cell: (r) => <a href={`/counties/${r.code}`}>{locale.divisionName(r)}</a>, sortKey: 'name' },
    { label: 'col.schools', value: (r) => r.schools.registered, numeric: true, sortKey: 'schools' },
    { label: 'col.schoolsConnected', value: (r) => r.schools.connected, cell: (r) => <Bar locale={locale} part={r.schools.connected} whole={r.schools.registered} />, sortKey: 'connected' },
    { label: 'col.meetsStandard', value: (r) => r.schools.meetingStandard, cell: (r) => <Bar locale={locale} part={r.schools.meetingStandard} whole={r.schools.registered} />, sortKey: 'standard' },
    { label: 'col.classrooms', value: (r) => r.classrooms.registered, numeric: true, sortKey: 'classrooms' },
    { label: 'col.classroomsEquipped', value: (r) => r.classrooms.equipped, cell: (r) => <Bar locale={locale} part={r.classrooms.equipped} whole={r.classrooms.registered} />, sortKey: 'equipped' },
    { label: 'col.devices', value: (r) => r.devices.enrolled, numeric: true, sortKey: 'devices' },
    { label: 'col.devicesLive', value: (r) => r.devices.live, numeric: true, sortKey: 'live' },
    { label: 'col.devicesAtRisk', value: (r) => r.devices.atRisk, numeric: true, sortKey: 'atRisk' },
    { label: 'col.devicesSilent', value: (r) => r.devices.silent, numeric: true, sortKey: 'silent' },
  ];
}

/** The prefecture overview: headline figures against the plan, progress charts, the eight counties. */
export function OverviewPage(props: { locale: Locale; viewer: Viewer; path: string; coverage: Coverage; plan: Plan; rows: CountyRow[]; sorting: Sorting; query: string }) {
  const { locale, coverage, plan } = props;
  const t = locale.t;
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={t('overview.title')}>
      <h1>{`${t('overview.title')} · ${locale.divisionName(plan.prefecture)}`}</h1>
      <p class="meta">{plan.name}</p>
      <HeadlineFigures locale={locale} coverage={coverage} />
      <h2>{t('chart.progress')}</h2>
      <div class="charts">
        <ProgressChart locale={locale} title={t('figure.schoolsConnected')} milestones={plan.indicators.schoolsConnected.milestones} target={plan.indicators.schoolsConnected.target} actual={coverage.schools.connected} asOf={coverage.asOf} />
        <ProgressChart locale={locale} title={t('figure.classroomsEquipped')} milestones={plan.indicators.classroomsEquipped.milestones} target={plan.indicators.classroomsEquipped.target} actual={coverage.classrooms.equipped} asOf={coverage.asOf} />
      </div>
      <h2 id="counties">{t('overview.counties')}</h2>
      <ExportLinks locale={locale} base="/counties" query={props.query} />
      <DataTable locale={locale} caption={t('overview.counties')} columns={countyColumns(locale)} rows={props.rows} sorting={props.sorting} id="county-table" />
    </Layout>
  );
}
