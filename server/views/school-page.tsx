import type { SchoolDetail } from '../../shared/schemas/coverage.ts';
import type { Declaration } from '../../shared/schemas/declarations.ts';
import type { CoverageRules } from '../../shared/schemas/plan.ts';
import type { Viewer } from '../access/principals.ts';
import { BandwidthChart } from './charts.tsx';
import { FlaggedCell, flagReasonText, sourceText } from './figures.tsx';
import type { Locale } from '../i18n/locale.ts';
import { InstallCommands } from './install-commands.tsx';
import type { AgentOnOffer } from '../releases/agent-downloads.ts';
import { ExportLinks, Layout } from './layout.tsx';
import { DataTable, type Column } from './table.tsx';
import { Breadcrumb, type TrailDivision } from './division-trail.tsx';
import { displaysWords, displayWords, kindWords } from './display-words.ts';
import { DevicesBy, EquippedBy, MarkedText } from './count-parts.tsx';

type Classroom = SchoolDetail['classrooms'][number];
type Device = SchoolDetail['devices'][number];

/** Classroom table columns (page export). */
export function classroomColumns(locale: Locale): Column<Classroom>[] {
  return [
    { label: 'col.code', value: (r) => r.code },
    { label: 'col.name', value: (r) => r.name },
    { label: 'col.equipped', value: (r) => r.equipped },
    { label: 'col.equippedKind', value: (r) => (r.equippedKind === null ? null : kindWords(locale, r.equippedKind)) },
    {
      label: 'col.declaredEquipped',
      value: (r) => r.declaredEquipped,
      cell: (r) =>
        r.declaredEquipped ? <span class="tag declared">{locale.t('tag.declared')}</span> : locale.t('value.no'),
    },
    { label: 'col.lastEvidence', value: (r) => r.lastEvidenceAt, time: 'instant' },
  ];
}

/** Device table columns (page and export). */
export function deviceColumns(locale: Locale): Column<Device>[] {
  return [
    { label: 'col.hostname', value: (r) => r.hostname },
    { label: 'col.classroom', value: (r) => r.classroom },
    {
      label: 'col.state',
      value: (r) => locale.tOr(`state.${r.state}`, r.state),
      cell: (r) => <span class={`state-${r.state}`}>{locale.tOr(`state.${r.state}`, r.state)}</span>,
    },
    { label: 'col.agentVersion', value: (r) => r.agentVersion },
    { label: 'col.lastReport', value: (r) => r.lastReportAt, time: 'instant' },
    { label: 'col.down', value: (r) => r.medianDownMbps, numeric: true },
    { label: 'col.up', value: (r) => r.medianUpMbps, numeric: true },
    { label: 'col.bandwidthSource', value: (r) => sourceText(locale, r.downSource) },
    {
      label: 'col.flagged',
      value: (r) => r.flaggedSamples,
      cell: (r) => <FlaggedCell locale={locale} count={r.flaggedSamples} />,
    },
    { label: 'col.flagReasons', value: (r) => flagReasonText(locale, r.flagReasons) },
    { label: 'col.enrolledAt', value: (r) => r.enrolledAt, time: 'instant', cell: (r) => locale.date(r.enrolledAt) },
    {
      label: 'col.conflict',
      value: (r) => r.hardwareConflict,
      // Red only for a conflict: "no conflict" is the ordinary state, not a failure (issue 18 item 10).
      cell: (r) =>
        r.hardwareConflict ? <span class="tag conflict">{locale.t('value.yes')}</span> : locale.t('value.no'),
    },
    {
      label: 'col.displays',
      value: (r) => displaysWords(locale, r.displays),
      cell: (r) => <DisplayList locale={locale} displays={r.displays} />,
    },
  ];
}

/** A device's displays, one per line, each with why it got its kind. */
function DisplayList(props: { locale: Locale; displays: Device['displays'] }) {
  if (props.displays.length === 0) return props.locale.t('display.none');
  return (
    <ul class="displays">
      {props.displays.map((d) => (
        <li class={`display-${d.kind}`}>{displayWords(props.locale, d)}</li>
      ))}
    </ul>
  );
}

/** Why each status is what it is, in words: the measured evidence and the rule it was held against. */
function Evidence(props: { locale: Locale; detail: SchoolDetail; rules: CoverageRules }) {
  const { locale, rules } = props;
  const s = props.detail.school;
  const days = rules.evidenceWindowDays;
  const bandwidth =
    s.standardMbps === null
      ? locale.t('evidence.noStandard')
      : s.bandwidthMbps === null
        ? locale.fill('evidence.bandwidthNone', { days })
        : locale.fill('evidence.bandwidth', {
            measured: locale.number(s.bandwidthMbps, 1),
            days,
            standard: locale.number(s.standardMbps),
            tolerance: locale.share(rules.bandwidth.tolerance, 1, 'standard'),
            threshold: locale.number(s.standardMbps * rules.bandwidth.tolerance, 1),
          });
  return (
    <ul>
      <li>
        {s.connected
          ? locale.fill('evidence.connectedYes', { at: locale.dateTime(s.lastReachableAt), days })
          : locale.fill('evidence.connectedNo', { days })}
      </li>
      <li>{bandwidth}</li>
      {s.bandwidthSource && (
        <li>{locale.t(s.bandwidthSource === 'server' ? 'evidence.sourceServer' : 'evidence.sourceAgent')}</li>
      )}
      {s.flaggedSamples > 0 && (
        <li class="conflict-line" role="note">
          <span class="tag conflict">{locale.t('tag.flagged')}</span>{' '}
          {locale.fill('evidence.flagged', {
            n: s.flaggedSamples,
            days,
            reasons: flagReasonText(locale, s.flagReasons),
          })}
        </li>
      )}
      <li data-sum>
        <MarkedText
          locale={locale}
          message="evidence.classrooms"
          values={{ equipped: s.classrooms.equipped, registered: s.classrooms.registered, days }}
          group="equipped"
          total="equipped"
          parts={[]}
        />
        {s.classrooms.equipped > 0 && (
          <>
            {' '}
            <EquippedBy locale={locale} by={s.classrooms.equippedBy} message="evidence.equippedBy" />
          </>
        )}
      </li>
      <li data-sum>
        <DevicesBy locale={locale} devices={s.devices} message="evidence.devices" />{' '}
        {locale.fill('evidence.reporting', { liveDays: rules.liveDays })}
      </li>
      {s.declaredConnected && (
        <li class="declared-line">
          <span class="tag declared">{locale.t('tag.declared')}</span> {locale.t('evidence.declaredConnected')}
        </li>
      )}
      {s.declarationConflict && (
        <li class="conflict-line" role="note">
          {locale.fill('evidence.conflict', { days })}
        </li>
      )}
      {s.classrooms.declaredEquipped > 0 && (
        <li class="declared-line">
          <span class="tag declared">{locale.t('tag.declared')}</span>{' '}
          {locale.fill('evidence.declaredEquipped', { n: s.classrooms.declaredEquipped })}
        </li>
      )}
      {s.lastInspection && (
        <li>
          {locale.fill('evidence.inspection', {
            id: s.lastInspection.inspectionId,
            at: locale.date(s.lastInspection.recordedAt),
            result: locale.t(`inspection.result.${s.lastInspection.result}`),
          })}
          {s.lastInspection.note ? ` ${s.lastInspection.note}` : ''}
        </li>
      )}
    </ul>
  );
}

/** A school: its evidence, classrooms grid, devices, bandwidth over time and how to install the agent. */
export function SchoolPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  detail: SchoolDetail;
  rules: CoverageRules;
  history: { day: string; medianDownMbps: number }[];
  /** Where school PCs reach the server: the configured public URL, or else the browser's origin. */
  serverUrl: string;
  /** False when SANTONG_PUBLIC_URL is unset and `serverUrl` is only the browser's origin. */
  publicUrlSet: boolean;
  /** The newest published agent and the installers and executables offered for download. */
  onOffer: AgentOnOffer;
  releaseKeyFingerprints: string[];
  declarations: Declaration[];
  /** County officers and the bureau may declare for this school. */
  canDeclare: boolean;
  /** Root → … → the school's county, as far as the viewer may open it. */
  trail: TrailDivision[];
  rootCode: string;
}) {
  const { locale, detail } = props;
  const t = locale.t;
  const s = detail.school;
  const missing = detail.classrooms.filter((c) => !c.equipped);
  return (
    <Layout locale={locale} viewer={props.viewer} path={props.path} title={s.name}>
      <Breadcrumb locale={locale} trail={props.trail} rootCode={props.rootCode} here={s.name} />
      <p class="meta">
        <a href={`/counties/${s.county.code}`}>{locale.divisionName(s.county)}</a>
        {` · ${s.code} · ${locale.tOr(`type.${s.typeCode}`, s.typeCode)} · ${s.township ?? ''}`}
      </p>
      <h1>{s.name}</h1>
      <h2>{t('school.evidence')}</h2>
      <Evidence locale={locale} detail={detail} rules={props.rules} />
      <BandwidthChart locale={locale} days={props.history} standardMbps={s.standardMbps} />
      <h2>{t('school.classrooms')}</h2>
      <ul class="grid-rooms" aria-label={t('school.classrooms')}>
        {detail.classrooms.map((c) => (
          <li class={c.equipped ? 'equipped' : c.declaredEquipped ? 'declared' : undefined}>
            <strong>{c.name}</strong>
            <br />
            {`${t('col.equipped')}: ${c.equippedKind ? kindWords(locale, c.equippedKind) : t(c.equipped ? 'value.yes' : 'value.no')}`}
            {c.declaredEquipped && (
              <>
                <br />
                <span class="tag declared">{t('tag.declared')}</span>
              </>
            )}
            <br />
            <span class="meta">{locale.dateTime(c.lastEvidenceAt)}</span>
          </li>
        ))}
      </ul>
      <p>
        <strong>{`${t('school.missing')}: `}</strong>
        {missing.length === 0 ? t('evidence.missingNone') : missing.map((c) => c.name).join('、')}
      </p>
      <ExportLinks locale={locale} base={`/schools/${s.code}/classrooms`} />
      <DataTable
        locale={locale}
        caption={t('school.classrooms')}
        columns={classroomColumns(locale)}
        rows={detail.classrooms}
        id="classroom-table"
      />
      <h2 id="declarations">{t('school.declarations')}</h2>
      {props.declarations.length === 0 ? (
        <p>{t('school.noDeclarations')}</p>
      ) : (
        <ul>
          {props.declarations.map((d) => (
            <li class={d.conflict ? 'conflict-line' : undefined}>
              <span class="tag declared">{t('tag.declared')}</span>
              {` ${t(`indicator.${d.indicator}`)}${d.classroomCode ? ` · ${t('col.classroom')} ${d.classroomCode}` : ''} · ${locale.dateTime(d.declaredAt)} · ${d.declaredBy} · ${d.reason}`}
              {d.withdrawnAt ? ` · ${t('declarations.withdrawnAt')} ${locale.dateTime(d.withdrawnAt)}` : ''}
              {d.conflict ? ` · ${t('tag.conflict')}` : ''}
            </li>
          ))}
        </ul>
      )}
      {props.canDeclare && (
        <p class="no-print">
          <a href={`/declarations?school=${encodeURIComponent(s.code)}#declare`}>{t('declarations.declareHere')}</a>
        </p>
      )}
      <h2>{t('school.devices')}</h2>
      <ExportLinks locale={locale} base={`/schools/${s.code}/devices`} />
      <DataTable
        locale={locale}
        caption={t('school.devices')}
        columns={deviceColumns(locale)}
        rows={detail.devices}
        id="device-table"
      />
      <h2 class="no-print" id="install">
        {t('school.install')}
      </h2>
      <div class="no-print">
        {props.viewer.user?.role === 'school' ? (
          <p>{t('school.installHint')}</p>
        ) : (
          <>
            <p>{t('school.installHintOfficer')}</p>
            <p>
              <a href={`/enrollment?school=${encodeURIComponent(s.code)}`}>{t('school.issueToken')}</a>
            </p>
          </>
        )}
        {!props.publicUrlSet && (
          <p class="note" role="note">
            {locale.fill('school.publicUrlMissing', { origin: props.serverUrl })}
          </p>
        )}
        <InstallCommands
          locale={locale}
          serverUrl={props.serverUrl}
          token="<TOKEN>"
          onOffer={props.onOffer}
          releaseKeyFingerprints={props.releaseKeyFingerprints}
        />
      </div>
    </Layout>
  );
}
