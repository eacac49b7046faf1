import type { listClosures } from '../programme/closures.ts';
import type { Viewer } from '../access/principals.ts';
import { typed, type FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, ExportLinks, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';
import { DAY_MS } from '../../shared/time/china-time.ts';

/*
 * The school calendar (校历): holidays and other closures, for every county or one. Evidence ages pause
 * on these days, so figures do not collapse every summer. Adding or removing one is audited with a reason.
 */
export type ClosureRow = Awaited<ReturnType<typeof listClosures>>[number] & {
  countyName: string | null;
  removable: boolean;
};

const dayCount = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY_MS) + 1;

/** Closure columns (page and export). */
export function closureColumns(locale: Locale): Column<ClosureRow>[] {
  return [
    { label: 'col.id', value: (r) => r.id, numeric: true },
    { label: 'col.name', value: (r) => r.name },
    { label: 'col.scope', value: (r) => r.countyName ?? locale.t('value.wholePrefecture') },
    { label: 'col.startsOn', value: (r) => r.startsOn, time: 'day' },
    { label: 'col.endsOn', value: (r) => r.endsOn, time: 'day' },
    { label: 'col.days', value: (r) => dayCount(r.startsOn, r.endsOn), numeric: true },
  ];
}

function removeColumn(locale: Locale, viewer: Viewer, problem: FormProblem | null): Column<ClosureRow> {
  return {
    label: 'col.actions',
    value: () => null,
    cell: (r) =>
      r.removable ? (
        <form class="row-action" method="post" action={`/calendar/${r.id}/remove`}>
          <CsrfField viewer={viewer} />
          <label>
            {locale.t('calendar.removeReason')}
            <input
              name="reason"
              required
              minlength={3}
              maxlength={1000}
              value={typed(problem, `/calendar/${r.id}/remove`, 'reason')}
            />
          </label>
          <button type="submit">{locale.t('calendar.remove')}</button>
        </form>
      ) : null,
  };
}

/** The closures a reader sees, and the form that adds one (a county officer: for their own county only). */
export function CalendarPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  rows: ClosureRow[];
  /** Counties the reader may add a closure for; `wholePrefecture` when the bureau may add one for all. */
  counties: { code: string; name: string; pinyin: string | null }[];
  wholePrefecture: boolean;
  notice: string | null;
  problem: FormProblem | null;
}) {
  const { locale, viewer } = props;
  const t = locale.t;
  const typedIn = (name: string) => typed(props.problem, '/calendar', name);
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('calendar.title')}>
      <h1>{t('calendar.title')}</h1>
      <p class="meta">{t('calendar.intro')}</p>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <ExportLinks locale={locale} base="/calendar" />
      <DataTable
        locale={locale}
        caption={t('calendar.title')}
        columns={[...closureColumns(locale), removeColumn(locale, viewer, props.problem)]}
        rows={props.rows}
        id="closure-table"
      />
      <h2>{t('calendar.add')}</h2>
      <form class="stacked" method="post" action="/calendar">
        <CsrfField viewer={viewer} />
        <label>
          {t('col.name')}
          <input
            name="name"
            required
            maxlength={100}
            placeholder={t('calendar.namePlaceholder')}
            value={typedIn('name')}
          />
        </label>
        <label>
          {t('col.scope')}
          <select name="countyCode">
            {props.wholePrefecture && <option value="">{t('value.wholePrefecture')}</option>}
            {props.counties.map((c) => (
              <option value={c.code} selected={typedIn('countyCode') === c.code}>
                {locale.divisionName(c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('col.startsOn')}
          <input name="startsOn" type="date" required value={typedIn('startsOn')} />
        </label>
        <label>
          {t('col.endsOn')}
          <input name="endsOn" type="date" required value={typedIn('endsOn')} />
        </label>
        <label>
          {t('col.reason')}
          <textarea name="reason" required minlength={3} maxlength={1000} rows={2}>
            {typedIn('reason') ?? ''}
          </textarea>
        </label>
        <button type="submit">{t('calendar.submit')}</button>
      </form>
    </Layout>
  );
}
