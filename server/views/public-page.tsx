import type { PublicCoverage } from '../../shared/schemas/public.ts';
import { chinaDateTime } from '../../shared/time/china-time-text.ts';
import { langs, localeFor, type ShareBase } from '../i18n/locale.ts';

/*
 * The public disclosure page (信息公开): the same aggregates as GET /api/v1/public/coverage, for
 * anyone, with no sign-in. Prefecture and county figures only; measured and declared figures are
 * labelled as such. Bilingual labels, since it has no session to remember a language in.
 */
// A share in both languages, each naming its base (decision 166): "占学校 50% · 50% of schools".
const share = (part: number, whole: number, base: ShareBase) =>
  whole === 0 ? '—' : langs.map((lang) => localeFor(lang).share(part, whole, base)).join(' · ');

function Row(props: {
  name: string;
  schools: PublicCoverage['counties'][number]['schools'];
  classrooms: PublicCoverage['counties'][number]['classrooms'];
  spaces: PublicCoverage['counties'][number]['teacherSpaces'];
}) {
  const { schools, classrooms, spaces } = props;
  return (
    <tr>
      <th scope="row">{props.name}</th>
      <td>
        {schools.connected} / {schools.registered} ({share(schools.connected, schools.registered, 'schools')})
      </td>
      <td>{schools.meetingStandard}</td>
      <td>
        {classrooms.equipped} / {classrooms.registered} (
        {share(classrooms.equipped, classrooms.registered, 'classrooms')})
      </td>
      <td>
        {spaces.opened} / {spaces.teachers}
      </td>
    </tr>
  );
}

/** The whole public page. */
export function PublicPage(props: { coverage: PublicCoverage }) {
  const { prefecture, counties, asOf } = props.coverage;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{prefecture.name} 三通两平台建设进展 · Rollout progress</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <main>
          <h1>{prefecture.name} 教育信息化“三通两平台”建设进展</h1>
          <p>
            Public progress of school connectivity (三通两平台) · 数据截至 As of {chinaDateTime(asOf)} 北京时间 Beijing
            time (UTC+8)
          </p>
          <p>
            校校通 schools connected (实测 measured): {prefecture.schools.connected} / {prefecture.schools.target}
            ；班班通 classrooms equipped (实测 measured): {prefecture.classrooms.equipped} /{' '}
            {prefecture.classrooms.target}；人人通 teacher spaces opened (申报 declared):{' '}
            {prefecture.teacherSpaces.opened} / {prefecture.teacherSpaces.target}
          </p>
          <div class="table-wrap">
            <table>
              <caption>各县（市）进展 Progress by county</caption>
              <thead>
                <tr>
                  <th scope="col">县（市） County</th>
                  <th scope="col">联网学校（实测） Schools connected (measured)</th>
                  <th scope="col">带宽达标（实测） Meeting bandwidth standard</th>
                  <th scope="col">多媒体教室（实测） Classrooms equipped (measured)</th>
                  <th scope="col">教师空间（申报） Teacher spaces (declared)</th>
                </tr>
              </thead>
              <tbody>
                {counties.map((c) => (
                  <Row name={c.name} schools={c.schools} classrooms={c.classrooms} spaces={c.teacherSpaces} />
                ))}
              </tbody>
            </table>
          </div>
          <p>
            数据接口 Data: <a href="/api/v1/public/coverage">/api/v1/public/coverage</a>（JSON）
          </p>
        </main>
      </body>
    </html>
  );
}
