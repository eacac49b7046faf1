import type { Coverage, CountySchoolsQuery, SchoolRow } from '../../shared/schemas/coverage.ts';
import type { Viewer } from '../access/principals.ts';
import { DeclaredCell, FlaggedCell, flagReasonText, HeadlineFigures, ProgressLine, sourceText } from './figures.tsx';
import { classroomPartColumns, devicePartColumns } from './count-parts.tsx';
import type { Locale } from '../i18n/locale.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { DataTable, type Column } from './table.tsx';
import { Breadcrumb, type TrailDivision } from './division-trail.tsx';

export const schoolTypeCodes = ['211', '218', '311', '312', '341', '342', '345'] as const;

/** The county's school table columns, shared by the page and its CSV/XLSX export. */
export function schoolColumns(locale: Locale): Column<SchoolRow>[] {
  return [
    { label: 'col.code', value: (r) => r.code },
    { label: 'col.school', value: (r) => r.name, cell: (r) => <a href={`/schools/${r.code}`}>{r.name}</a> },
    { label: 'col.township', value: (r) => r.township },
    { label: 'col.type', value: (r) => locale.tOr(`type.${r.typeCode}`, r.typeCode) },
    { label: 'col.connected', value: (r) => r.connected },
    // Declared apart from measured: its own column, tagged, never folded into "connected".
    {
      label: 'col.declaredConnected',
      value: (r) => r.declaredConnected,
      cell: (r) =>
        r.declaredConnected ? <span class="tag declared">{locale.t('tag.declared')}</span> : locale.t('value.no'),
    },
    {
      label: 'col.declarationConflict',
      value: (r) => r.declarationConflict,
      cell: (r) =>
        r.declarationConflict ? <span class="tag conflict">{locale.t('tag.conflict')}</span> : locale.t('value.no'),
    },
    { label: 'col.lastReachable', value: (r) => r.lastReachableAt, time: 'instant' },
    { label: 'col.bandwidth', value: (r) => r.bandwidthMbps, numeric: true },
    { label: 'col.standard', value: (r) => r.standardMbps, numeric: true },
    { label: 'col.meetsStandard', value: (r) => r.meetsStandard },
    { label: 'col.bandwidthSource', value: (r) => sourceText(locale, r.bandwidthSource) },
    // Implausible claims are kept and shown, never counted (decision 085).
    {
      label: 'col.flagged',
      value: (r) => r.flaggedSamples,
      cell: (r) => <FlaggedCell locale={locale} count={r.flaggedSamples} />,
    },
    { label: 'col.flagReasons', value: (r) => flagReasonText(locale, r.flagReasons) },
    ...classroomPartColumns<SchoolRow>(locale),
    {
      label: 'col.declaredEquipped',
      value: (r) => r.classrooms.declaredEquipped,
      cell: (r) => <DeclaredCell locale={locale} count={r.classrooms.declaredEquipped} />,
    },
    ...devicePartColumns<SchoolRow>(),
  ];
}

interface CountyPageProps {
  locale: Locale;
  viewer: Viewer;
  path: string;
  county: { code: string; name: string; pinyin: string | null };
  coverage: Coverage;
  query: CountySchoolsQuery;
  /** The filter part of the URL, reused by export and pager links. */
  filterQuery: string;
  townships: string[];
  schools: { total: number; page: number; pageSize: number; rows: SchoolRow[] };
  /** Root → … → the county, as far as the viewer may open it. */
  trail: TrailDivision[];
  rootCode: string;
}

function Check(props: { name: string; value: string; checked: boolean; label: string }) {
  return (
    <label class="check">
      <input type="checkbox" name={props.name} value={props.value} checked={props.checked} />
      {props.label}
    </label>
  );
}

/** A county: its figures, and its schools with filters, search, paging and exports. */
export function CountyPage(props: CountyPageProps) {
  const { locale, query, schools } = props;
  const t = locale.t;
  const name = locale.divisionName(props.county);
  const pages = Math.max(1, Math.ceil(schools.total / schools.pageSize));
  const pageHref = (page: number) =>
    `/counties/${props.county.code}?${props.filterQuery ? `${props.filterQuery}&` : ''}page=${page}`;
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={name}>
      <Breadcrumb locale={locale} trail={props.trail} rootCode={props.rootCode} />
      <h1>{`${t('county.title')} · ${name}`}</h1>
      <HeadlineFigures
        locale={locale}
        coverage={props.coverage}
        conflictHref={`/counties/${props.county.code}?conflict=true#schools`}
      />
      <ProgressLine locale={locale} progress={props.coverage.progress} />
      <h2 id="schools">{t('county.schools')}</h2>
      <form class="filters" method="get" action={`/counties/${props.county.code}`} role="search">
        <label>
          {t('county.search')}
          <input type="search" name="q" value={query.q ?? ''} />
        </label>
        <Check
          name="connected"
          value="false"
          checked={query.connected === false}
          label={t('county.filter.notConnected')}
        />
        <Check
          name="meetsStandard"
          value="false"
          checked={query.meetsStandard === false}
          label={t('county.filter.belowStandard')}
        />
        <Check
          name="hasSilentDevices"
          value="true"
          checked={query.hasSilentDevices === true}
          label={t('county.filter.silent')}
        />
        <Check name="noAgent" value="true" checked={query.noAgent === true} label={t('county.filter.noAgent')} />
        <Check
          name="declaredConnected"
          value="true"
          checked={query.declaredConnected === true}
          label={t('county.filter.declaredConnected')}
        />
        <Check name="conflict" value="true" checked={query.conflict === true} label={t('county.filter.conflict')} />
        <Check name="flagged" value="true" checked={query.flagged === true} label={t('county.filter.flagged')} />
        <label>
          {t('county.filter.type')}
          <select name="typeCode">
            <option value="">{t('county.filter.all')}</option>
            {schoolTypeCodes.map((code) => (
              <option value={code} selected={query.typeCode === code}>
                {t(`type.${code}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('county.filter.township')}
          <select name="township">
            <option value="">{t('county.filter.all')}</option>
            {props.townships.map((township) => (
              <option value={township} selected={query.township === township}>
                {township}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">{t('county.filter.apply')}</button>
      </form>
      <p class="meta" role="status">{`${t('county.matching')}: ${locale.number(schools.total)}`}</p>
      <ExportLinks locale={locale} base={`/counties/${props.county.code}/schools`} query={props.filterQuery} />
      <DataTable
        locale={locale}
        caption={`${name} · ${t('county.schools')}`}
        columns={schoolColumns(locale)}
        rows={schools.rows}
        id="school-table"
        wide
      />
      {pages > 1 && (
        <nav class="pager" aria-label="pages">
          {schools.page > 1 && (
            <a href={pageHref(schools.page - 1)} rel="prev">
              {'←'}
            </a>
          )}
          <span>{`${schools.page} / ${pages}`}</span>
          {schools.page < pages && (
            <a href={pageHref(schools.page + 1)} rel="next">
              {'→'}
            </a>
          )}
        </nav>
      )}
    </Layout>
  );
}
