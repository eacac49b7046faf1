import type { Declaration } from '../../shared/schemas/declarations.ts';
import type { Viewer } from '../access/principals.ts';
import { typed, type FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, ExportLinks, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';

/*
 * Declared statuses (申报): what a person says that no agent shows yet. Listed apart from anything
 * measured, each with who declared it, why, whether a measurement now agrees and whether evidence
 * contradicts it. County officers declare and withdraw for their county; every change is audited.
 */
export type DeclarationRow = Declaration & { schoolName: string };

/** Declaration columns (page and export). */
export function declarationColumns(locale: Locale): Column<DeclarationRow>[] {
  const t = locale.t;
  return [
    { label: 'col.id', value: (r) => r.id, numeric: true },
    { label: 'col.county', value: (r) => r.countyCode },
    {
      label: 'col.school',
      value: (r) => `${r.schoolName} (${r.schoolCode})`,
      cell: (r) => <a href={`/schools/${r.schoolCode}`}>{`${r.schoolName} (${r.schoolCode})`}</a>,
    },
    { label: 'col.indicator', value: (r) => t(`indicator.${r.indicator}`) },
    { label: 'col.classroom', value: (r) => r.classroomCode },
    { label: 'col.declaredAt', value: (r) => r.declaredAt, time: 'instant' },
    { label: 'col.declaredBy', value: (r) => r.declaredBy },
    { label: 'col.reason', value: (r) => r.reason },
    { label: 'col.measuredNow', value: (r) => r.measured },
    {
      label: 'col.declarationConflict',
      value: (r) => r.conflict,
      cell: (r) => (r.conflict ? <span class="tag conflict">{t('tag.conflict')}</span> : t('value.no')),
    },
    { label: 'col.withdrawnAt', value: (r) => r.withdrawnAt, time: 'instant' },
    { label: 'col.withdrawnBy', value: (r) => r.withdrawnBy },
  ];
}

/** The withdraw form of one active declaration: a reason is required, as in the API. */
function withdrawColumn(locale: Locale, viewer: Viewer, problem: FormProblem | null): Column<DeclarationRow> {
  return {
    label: 'col.actions',
    value: () => null,
    cell: (r) =>
      r.withdrawnAt === null ? (
        <form class="row-action" method="post" action={`/declarations/${r.id}/withdraw`}>
          <CsrfField viewer={viewer} />
          <label>
            {locale.t('declarations.withdrawReason')}
            <input
              name="reason"
              required
              minlength={3}
              maxlength={1000}
              value={typed(problem, `/declarations/${r.id}/withdraw`, 'reason')}
            />
          </label>
          <button type="submit">{locale.t('declarations.withdraw')}</button>
        </form>
      ) : null,
  };
}

interface DeclarationsPageProps {
  locale: Locale;
  viewer: Viewer;
  path: string;
  rows: DeclarationRow[];
  filter: { status: 'active' | 'withdrawn' | 'all'; conflict?: boolean | undefined };
  filterQuery: string;
  schools: { code: string; name: string }[];
  prefillSchool: string | null;
  notice: string | null;
  problem: FormProblem | null;
}

/** The list with its filters and exports, and the form that declares a school connected or a classroom equipped. */
export function DeclarationsPage(props: DeclarationsPageProps) {
  const { locale, viewer, filter } = props;
  const t = locale.t;
  const typedIn = (name: string) => typed(props.problem, '/declarations', name);
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('declarations.title')}>
      <h1>{t('declarations.title')}</h1>
      <p class="meta">{t('declarations.intro')}</p>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form class="filters" method="get" action="/declarations">
        <label>
          {t('declarations.status')}
          <select name="status">
            {(['active', 'withdrawn', 'all'] as const).map((s) => (
              <option value={s} selected={filter.status === s}>
                {t(`declarations.status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="check">
          <input type="checkbox" name="conflict" value="true" checked={filter.conflict === true} />
          {t('county.filter.conflict')}
        </label>
        <button type="submit">{t('county.filter.apply')}</button>
      </form>
      <p class="meta" role="status">{`${t('county.matching')}: ${locale.number(props.rows.length)}`}</p>
      <ExportLinks locale={locale} base="/declarations" query={props.filterQuery} />
      <DataTable
        locale={locale}
        caption={t('declarations.title')}
        columns={[...declarationColumns(locale), withdrawColumn(locale, viewer, props.problem)]}
        rows={props.rows}
        id="declaration-table"
      />
      <h2 id="declare">{t('declarations.declare')}</h2>
      <p class="meta">{t('declarations.declareHint')}</p>
      <form class="stacked" method="post" action="/declarations">
        <CsrfField viewer={viewer} />
        <label>
          {t('enrollment.school')}
          <input
            name="schoolCode"
            list="declaration-schools"
            required
            autocomplete="off"
            value={typedIn('schoolCode') ?? props.prefillSchool ?? ''}
          />
        </label>
        <datalist id="declaration-schools">
          {props.schools.map((s) => (
            <option value={s.code}>{s.name}</option>
          ))}
        </datalist>
        <label>
          {t('col.indicator')}
          <select name="indicator">
            {(['connected', 'equipped'] as const).map((indicator) => (
              <option value={indicator} selected={typedIn('indicator') === indicator}>
                {t(`indicator.${indicator}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('declarations.classroomCode')}
          <input name="classroomCode" maxlength={64} value={typedIn('classroomCode')} />
        </label>
        <label>
          {t('col.reason')}
          <textarea name="reason" required minlength={3} maxlength={1000} rows={3}>
            {typedIn('reason') ?? ''}
          </textarea>
        </label>
        <button type="submit">{t('declarations.submit')}</button>
      </form>
    </Layout>
  );
}
