import type { Coverage } from '../../shared/schemas/coverage.ts';
import type { Plan } from '../../shared/schemas/plan.ts';
import type { PlatformCoverage } from '../../shared/schemas/platforms.ts';
import type { TeacherSpaces } from '../../shared/schemas/teacher-spaces.ts';
import type { Viewer } from '../access/principals.ts';
import { DeclaredCell, HeadlineFigures, ProgressBadge, ProgressLine } from './figures.tsx';
import { Bar, classroomPartColumns, devicePartColumns, schoolPartColumns } from './count-parts.tsx';
import type { Locale } from '../i18n/locale.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { PlanLineChart, type MeasuredPoint } from './plan-chart.tsx';
import { PlatformsSection, TeacherSpacesSection } from './programme-sections.tsx';
import { DataTable, type Column, type Sorting } from './table.tsx';
import { Breadcrumb, divisionHref, type TrailDivision } from './division-trail.tsx';
import type { DivisionLevelName } from '../../shared/schemas/division-code.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';

export type CountyRow = Coverage['counties'][number];
/** A sub-division's row: a province, prefecture or county with its figures. */
export type DivisionRow = Coverage['children'][number];

const nameLabel = {
  country: 'col.province',
  province: 'col.province',
  prefecture: 'col.prefecture',
  county: 'col.county',
} as const;

/** The county table's columns (every county of a scope), shared by the page and its CSV/XLSX export. */
export function countyColumns(locale: Locale): Column<CountyRow>[] {
  return divisionColumns(locale, 'county');
}

/**
 * A table of divisions of one level (a division's children, or its counties): the name links one level down,
 * the same columns for the page and its CSV/XLSX export; declared counts sit in their own columns.
 */
export function divisionColumns(locale: Locale, level: DivisionLevelName): Column<DivisionRow>[] {
  const t = locale.t;
  return [
    { label: 'col.code', value: (r) => r.code, sortKey: 'code' },
    {
      label: nameLabel[level],
      value: (r) => locale.divisionName(r),
      // A row is never the root, so its page is a county's school list or a division's own page.
      cell: (r) => <a href={divisionHref(r, null)}>{locale.divisionName(r)}</a>,
      sortKey: 'name',
    },
    ...schoolPartColumns<DivisionRow>(locale),
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
      cell: (r) => <Bar locale={locale} part={r.schools.meetingStandard} whole={r.schools.registered} base="schools" />,
      sortKey: 'standard',
    },
    ...classroomPartColumns<DivisionRow>(locale),
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
    ...devicePartColumns<DivisionRow>(),
  ];
}

/** The level of a division's children as its table names them (a province's are mostly prefectures). */
export function childLevelOf(coverage: Coverage): DivisionLevelName {
  return coverage.children[0]?.level ?? 'county';
}

const childrenHeading: Record<DivisionLevelName, MessageKey> = {
  country: 'overview.children.province',
  province: 'overview.children.province',
  prefecture: 'overview.children.prefecture',
  county: 'overview.counties',
};

const overviewTitle: Record<DivisionLevelName, MessageKey> = {
  country: 'overview.title.country',
  province: 'overview.title.province',
  prefecture: 'overview.title',
  county: 'overview.title',
};

interface DivisionViewProps {
  locale: Locale;
  viewer: Viewer;
  path: string;
  coverage: Coverage;
  plan: Plan;
  /** The division's children, sorted as asked. */
  rows: DivisionRow[];
  sorting: Sorting;
  query: string;
  now: number;
  /** The division's daily snapshots, oldest first. */
  history: { schools: MeasuredPoint[]; classrooms: MeasuredPoint[] };
  /** Root → … → this division, as far as the viewer may see. */
  trail: TrailDivision[];
  rootCode: string;
}

interface OverviewProps extends DivisionViewProps {
  spaces: TeacherSpaces;
  platforms: PlatformCoverage;
}

/** The figures of one division: headline (measured, declared beside), progress, plan charts, its children. */
function DivisionFigures(props: DivisionViewProps & { conflictHref?: string }) {
  const { locale, coverage, plan } = props;
  const t = locale.t;
  const childLevel = childLevelOf(coverage);
  const anchor = childLevel === 'county' ? 'counties' : 'children';
  return (
    <>
      <HeadlineFigures locale={locale} coverage={coverage} conflictHref={props.conflictHref} />
      <h2>{t('chart.progress')}</h2>
      <ProgressLine locale={locale} progress={coverage.progress} />
      <div class="charts">
        <PlanLineChart
          locale={locale}
          title={t('figure.schoolsConnected')}
          indicator={plan.indicators.schoolsConnected}
          target={coverage.schools.target ?? coverage.schools.registered}
          targetShare={coverage.schools.targetShare}
          base="schools"
          history={props.history.schools}
          now={props.now}
          measuredNow={coverage.schools.connected}
        />
        <PlanLineChart
          locale={locale}
          title={t('figure.classroomsEquipped')}
          indicator={plan.indicators.classroomsEquipped}
          target={coverage.classrooms.target ?? coverage.classrooms.registered}
          targetShare={coverage.classrooms.targetShare}
          base="classrooms"
          history={props.history.classrooms}
          now={props.now}
          measuredNow={coverage.classrooms.equipped}
        />
      </div>
      <h2 id={anchor}>{t(childrenHeading[childLevel])}</h2>
      <ExportLinks locale={locale} base={`/divisions/${coverage.division.code}/children`} query={props.query} />
      <DataTable
        locale={locale}
        caption={t(childrenHeading[childLevel])}
        columns={divisionColumns(locale, childLevel)}
        rows={props.rows}
        sorting={props.sorting}
        id={`${childLevel}-table`}
        // Every part of each count is a column (decision 165): 22 of them fit at 1366 px in Chinese, and English
        // words need more, so the table scrolls in its wrapper there (decision 167).
        wide
      />
    </>
  );
}

/** The deployment root's overview: its figures and children, then 人人通 and 两平台. */
export function OverviewPage(props: OverviewProps) {
  const { locale, coverage, plan } = props;
  const t = locale.t;
  const title = t(overviewTitle[coverage.division.level]);
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={title}>
      <h1>{`${title} · ${locale.divisionName(plan.root)}`}</h1>
      <p class="meta">{locale.planName(plan)}</p>
      <DivisionFigures {...props} conflictHref="/declarations?conflict=true" />
      <TeacherSpacesSection locale={locale} spaces={props.spaces} asOf={coverage.asOf} />
      <PlatformsSection locale={locale} coverage={props.platforms} linkToList />
    </Layout>
  );
}

/** A division below the root (a province or prefecture): the breadcrumb, its figures and its children. */
export function DivisionPage(props: DivisionViewProps) {
  const { locale, coverage } = props;
  const t = locale.t;
  const name = locale.divisionName(coverage.division);
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={name}>
      <Breadcrumb locale={locale} trail={props.trail} rootCode={props.rootCode} />
      <h1>{`${t(`division.level.${coverage.division.level}`)} · ${name}`}</h1>
      <p class="meta">{locale.planName(props.plan)}</p>
      <DivisionFigures {...props} />
    </Layout>
  );
}
