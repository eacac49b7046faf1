import type { Inspection } from '../../shared/schemas/inspections.ts';
import type { Viewer } from '../access/principals.ts';
import type { listInspections } from '../programme/inspection-list.ts';
import { typed, type FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';

/*
 * Spot checks (检查验收): the bureau draws a reproducible sample (N per county, a seed anyone can re-run),
 * prints the checklists, and county officers record what the inspectors found at their schools.
 */
type InspectionRow = Awaited<ReturnType<typeof listInspections>>[number];
type InspectedSchool = Inspection['schools'][number];

function inspectionColumns(locale: Locale): Column<InspectionRow>[] {
  return [
    { label: 'col.id', value: (r) => r.id, cell: (r) => <a href={`/inspections/${r.id}`}>{`#${r.id}`}</a> },
    { label: 'col.drawnAt', value: (r) => r.drawnAt, time: 'instant' },
    { label: 'col.drawnBy', value: (r) => r.drawnBy },
    { label: 'col.seed', value: (r) => r.seed },
    { label: 'col.perCounty', value: (r) => r.perCounty, numeric: true },
    { label: 'col.schools', value: (r) => r.schools, numeric: true },
    { label: 'col.recorded', value: (r) => r.recorded, numeric: true },
  ];
}

/** The list of inspections, and (bureau) the form that draws one. */
export function InspectionsPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  rows: InspectionRow[];
  canDraw: boolean;
  problem?: FormProblem | null;
}) {
  const { locale, viewer } = props;
  const t = locale.t;
  const typedIn = (name: string) => typed(props.problem, '/inspections', name);
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('inspections.title')}>
      <h1>{t('inspections.title')}</h1>
      <p class="meta">{t('inspections.intro')}</p>
      <ProblemAlert locale={locale} problem={props.problem ?? null} />
      <DataTable
        locale={locale}
        caption={t('inspections.title')}
        columns={inspectionColumns(locale)}
        rows={props.rows}
        id="inspection-table"
      />
      {props.canDraw && (
        <>
          <h2>{t('inspections.draw')}</h2>
          <form class="stacked" method="post" action="/inspections">
            <CsrfField viewer={viewer} />
            <label>
              {t('col.perCounty')}
              <input name="perCounty" type="number" min="1" max="500" value={typedIn('perCounty') ?? '5'} required />
            </label>
            <label>
              {t('col.seed')}
              <input name="seed" required maxlength={100} value={typedIn('seed')} />
            </label>
            <button type="submit">{t('inspections.drawSubmit')}</button>
          </form>
        </>
      )}
    </Layout>
  );
}

function schoolColumns(
  locale: Locale,
  viewer: Viewer,
  inspectionId: number,
  canRecord: boolean,
  problem: FormProblem | null,
): Column<InspectedSchool>[] {
  const t = locale.t;
  const action = `/inspections/${inspectionId}/results`;
  // The rows share one action; what was typed goes back to the row of the school it was for.
  const typedFor = (r: InspectedSchool, name: string) =>
    typed(problem, action, 'schoolCode') === r.schoolCode ? typed(problem, action, name) : undefined;
  const columns: Column<InspectedSchool>[] = [
    {
      label: 'col.school',
      value: (r) => r.name,
      cell: (r) => <a href={`/schools/${r.schoolCode}`}>{`${r.name} (${r.schoolCode})`}</a>,
    },
    { label: 'col.county', value: (r) => r.countyCode },
    { label: 'col.stratum', value: (r) => t(`stratum.${r.stratum}`) },
    {
      label: 'col.result',
      value: (r) => (r.result ? t(`inspection.result.${r.result}`) : null),
      cell: (r) =>
        r.result ? (
          <span class={r.result === 'discrepancy' ? 'tag conflict' : 'yes'}>{t(`inspection.result.${r.result}`)}</span>
        ) : (
          t('value.none')
        ),
    },
    { label: 'col.note', value: (r) => r.note },
    { label: 'col.recordedAt', value: (r) => r.recordedAt, time: 'instant' },
    { label: 'col.recordedBy', value: (r) => r.recordedBy },
  ];
  if (!canRecord) return columns;
  const record: Column<InspectedSchool> = {
    label: 'col.actions',
    value: () => null,
    cell: (r) => (
      <form class="row-action" method="post" action={action}>
        <CsrfField viewer={viewer} />
        <input type="hidden" name="schoolCode" value={r.schoolCode} />
        <label>
          {t('col.result')}
          <select name="result">
            {(['confirmed', 'discrepancy'] as const).map((result) => (
              <option value={result} selected={typedFor(r, 'result') === result}>
                {t(`inspection.result.${result}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('col.note')}
          <input name="note" maxlength={2000} value={typedFor(r, 'note')} />
        </label>
        <button type="submit">{t('inspections.record')}</button>
      </form>
    ),
  };
  return [...columns, record];
}

/** One inspection: its schools in the reader's scope, the printable checklist, and the findings form. */
export function InspectionPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  inspection: Inspection;
  canRecord: boolean;
  notice: string | null;
  problem?: FormProblem | null;
}) {
  const { locale, viewer, inspection } = props;
  const t = locale.t;
  const title = `${t('inspections.title')} #${inspection.id}`;
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={title}>
      <h1>{title}</h1>
      <p class="meta">
        {locale.fill('inspections.drawnLine', {
          at: locale.dateTime(inspection.drawnAt),
          by: inspection.drawnBy,
          seed: inspection.seed,
          n: inspection.perCounty,
        })}
      </p>
      <ProblemAlert locale={locale} problem={props.problem ?? null} />
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <p class="no-print">
        <a href={`/api/v1/inspections/${inspection.id}/checklist`}>{t('inspections.checklist')}</a>
      </p>
      <DataTable
        locale={locale}
        caption={title}
        columns={schoolColumns(locale, viewer, inspection.id, props.canRecord, props.problem ?? null)}
        rows={inspection.schools}
        id="inspection-school-table"
      />
    </Layout>
  );
}
