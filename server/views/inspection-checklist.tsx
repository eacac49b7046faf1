import type { SchoolDetail } from '../../shared/schemas/coverage.ts';
import type { Declaration } from '../../shared/schemas/declarations.ts';
import type { Inspection } from '../../shared/schemas/inspections.ts';
import { chinaDateTime } from '../../shared/time/china-time-text.ts';
import { langs, localeFor } from '../i18n/locale.ts';

/*
 * The printable inspection checklist (检查验收): one page per school with the evidence santong holds,
 * so the inspector checks what is claimed against what they see. Standalone HTML with its own print
 * styles: it is printed, taken to the school and filled in by hand.
 */
const styles = `
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 2em; color: #111; }
section { page-break-after: always; }
h1 { font-size: 1.3em; } h2 { font-size: 1.1em; margin-top: 1.2em; }
table { border-collapse: collapse; width: 100%; margin: .5em 0; }
th, td { border: 1px solid #555; padding: .25em .5em; text-align: left; font-size: .9em; }
.declared { font-weight: bold; }
.box { display: inline-block; width: 1em; height: 1em; border: 1px solid #111; vertical-align: middle; }
@media print { body { margin: 0; } }
`;

const yesNo = (v: boolean) => (v ? '是 yes' : '否 no');
// A device's state in both languages, in the dashboard's words ("正常上报 reporting", decision 165), never its API name.
const stateWords = (state: string) => langs.map((lang) => localeFor(lang).tOr(`state.${state}`, state)).join(' ');
// Beijing time, as everywhere people read santong's times; the "as of" line says so once per page.
const at = (iso: string | null) => (iso ? chinaDateTime(iso) : '—');

function SchoolPage(props: {
  inspectionId: number;
  stratum: string;
  detail: SchoolDetail;
  declarations: Declaration[];
}) {
  const { school, classrooms, devices } = props.detail;
  return (
    <section>
      <h1>
        检查验收清单 Inspection checklist #{props.inspectionId} — {school.name} ({school.code})
      </h1>
      <p>
        县 County: {school.county.name} ({school.county.code}) · 乡镇 Township: {school.township ?? '—'} · 抽样类别
        Drawn as: {props.stratum} · 数据截至 As of: {at(props.detail.asOf)} · 时间均为北京时间 Times are Beijing time
        (UTC+8)
      </p>
      <h2>校校通 Connectivity (measured)</h2>
      <table>
        <tbody>
          <tr>
            <th>已联网（实测） Connected (measured)</th>
            <td>{yesNo(school.connected)}</td>
            <td>最近一次联网 Last reached the internet: {at(school.lastReachableAt)}</td>
          </tr>
          <tr>
            <th>带宽 Bandwidth</th>
            <td>{school.bandwidthMbps === null ? '未测 not measured' : `${school.bandwidthMbps} Mbps`}</td>
            <td>
              标准 Standard: {school.standardMbps ?? '—'} Mbps · 达标 Meets: {yesNo(school.meetsStandard)}
            </td>
          </tr>
          <tr class="declared">
            <th>仅申报联网 Declared connected only</th>
            <td>{yesNo(school.declaredConnected)}</td>
            <td>与实测矛盾 Contradicted by evidence: {yesNo(school.declarationConflict)}</td>
          </tr>
          <tr>
            <th>现场核实 Inspector finds connected</th>
            <td colspan={2}>
              <span class="box" /> 是 yes <span class="box" /> 否 no　实测速度 measured on site: ______ Mbps
            </td>
          </tr>
        </tbody>
      </table>
      <h2>申报记录 Declarations</h2>
      <table>
        <thead>
          <tr>
            <th>指标 Indicator</th>
            <th>教室 Classroom</th>
            <th>申报人 By</th>
            <th>时间 When</th>
            <th>理由 Reason</th>
          </tr>
        </thead>
        <tbody>
          {props.declarations.length === 0 ? (
            <tr>
              <td colspan={5}>无 none</td>
            </tr>
          ) : null}
          {props.declarations.map((d) => (
            <tr>
              <td>{d.indicator}</td>
              <td>{d.classroomCode ?? '—'}</td>
              <td>{d.declaredBy}</td>
              <td>{at(d.declaredAt)}</td>
              <td>{d.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>班班通 Classrooms</h2>
      <table>
        <thead>
          <tr>
            <th>教室 Classroom</th>
            <th>已配备（实测） Equipped (measured)</th>
            <th>最近证据 Last evidence</th>
            <th>仅申报 Declared only</th>
            <th>现场核实 On site</th>
          </tr>
        </thead>
        <tbody>
          {classrooms.map((c) => (
            <tr>
              <td>
                {c.name} ({c.code})
              </td>
              <td>{yesNo(c.equipped)}</td>
              <td>{at(c.lastEvidenceAt)}</td>
              <td>{yesNo(c.declaredEquipped)}</td>
              <td>
                <span class="box" /> 有设备 equipped
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>设备 Devices running the agent</h2>
      <table>
        <thead>
          <tr>
            <th>主机名 Hostname</th>
            <th>教室 Classroom</th>
            <th>状态 State</th>
            <th>最近报告 Last report</th>
            <th>下载中位数 Median download</th>
          </tr>
        </thead>
        <tbody>
          {devices.length === 0 ? (
            <tr>
              <td colspan={5}>无 none</td>
            </tr>
          ) : null}
          {devices.map((d) => (
            <tr>
              <td>{d.hostname}</td>
              <td>{d.classroom ?? '—'}</td>
              <td>{stateWords(d.state)}</td>
              <td>{at(d.lastReportAt)}</td>
              <td>{d.medianDownMbps === null ? '—' : `${d.medianDownMbps} Mbps`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>结论 Finding</h2>
      <p>
        <span class="box" /> 属实 confirmed　
        <span class="box" /> 不符 discrepancy：______________________________
      </p>
      <p>检查人 Inspector: ____________　日期 Date: ____________</p>
    </section>
  );
}

/** The whole checklist document for an inspection. */
export function InspectionChecklist(props: {
  inspection: Inspection;
  schools: { stratum: string; detail: SchoolDetail; declarations: Declaration[] }[];
}) {
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>检查验收清单 #{props.inspection.id}</title>
        <style dangerouslySetInnerHTML={{ __html: styles }} />
      </head>
      <body>
        {props.schools.map((s) => (
          <SchoolPage
            inspectionId={props.inspection.id}
            stratum={s.stratum}
            detail={s.detail}
            declarations={s.declarations}
          />
        ))}
      </body>
    </html>
  );
}
