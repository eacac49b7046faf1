import type { Viewer } from '../access/principals.ts';
import type { readAttentionDevices, readHardwareConflicts, readReenrollments } from '../coverage/devices-read.ts';
import type { FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, ExportLinks, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';

export type AttentionDevice = Awaited<ReturnType<typeof readAttentionDevices>>[number];
export type Conflict = Awaited<ReturnType<typeof readHardwareConflicts>>[number];
export type Reenrollment = Awaited<ReturnType<typeof readReenrollments>>[number];

/** Silent and at-risk device columns (page and export). */
export function attentionColumns(locale: Locale): Column<AttentionDevice>[] {
  return [
    {
      label: 'col.school',
      value: (r) => r.school.name,
      cell: (r) => <a href={`/schools/${r.school.code}`}>{r.school.name}</a>,
    },
    { label: 'col.hostname', value: (r) => r.hostname },
    { label: 'col.classroom', value: (r) => r.classroom },
    {
      label: 'col.state',
      value: (r) => locale.tOr(`state.${r.state}`, r.state),
      cell: (r) => <span class={`state-${r.state}`}>{locale.tOr(`state.${r.state}`, r.state)}</span>,
    },
    { label: 'col.lastReport', value: (r) => r.lastReportAt, time: 'instant' },
    { label: 'col.agentVersion', value: (r) => r.agentVersion },
  ];
}

/** Hardware conflict columns (page and export). */
export function conflictColumns(locale: Locale): Column<Conflict>[] {
  return [
    { label: 'col.hostname', value: (r) => r.device.hostname },
    {
      label: 'col.school',
      value: (r) => r.school.name,
      cell: (r) => <a href={`/schools/${r.school.code}`}>{r.school.name}</a>,
    },
    { label: 'col.otherSchool', value: (r) => `${r.otherSchool.name} (${r.otherDevice.hostname})` },
    { label: 'col.matchedOn', value: (r) => r.matchedOn },
    { label: 'col.detectedAt', value: (r) => r.detectedAt, time: 'instant' },
  ];
}

/** Re-enrolled PC columns (page and export): the previous key works until `confirmedAt`. */
export function reenrollmentColumns(locale: Locale): Column<Reenrollment>[] {
  const state = (r: Reenrollment) =>
    r.confirmedAt === null ? locale.t('devices.previousKeyActive') : locale.t('devices.newKeyReported');
  return [
    { label: 'col.hostname', value: (r) => r.device.hostname },
    {
      label: 'col.school',
      value: (r) => r.school.name,
      cell: (r) => <a href={`/schools/${r.school.code}`}>{r.school.name}</a>,
    },
    { label: 'col.classroom', value: (r) => r.classroom },
    { label: 'col.before', value: (r) => `${r.previousHostname} / ${r.previousClassroom ?? '—'}` },
    { label: 'col.matchedOn', value: (r) => r.matchedOn },
    { label: 'col.enrollmentToken', value: (r) => `#${r.enrollmentTokenId}` },
    { label: 'col.reenrolledAt', value: (r) => r.reenrolledAt, time: 'instant' },
    {
      label: 'col.state',
      value: state,
      cell: (r) => <span class={r.confirmedAt === null ? 'state-at-risk' : ''}>{state(r)}</span>,
    },
  ];
}

function RevokeButton(props: { locale: Locale; viewer: Viewer; deviceId: string; hostname: string }) {
  return (
    <form class="inline" method="post" action={`/devices/${encodeURIComponent(props.deviceId)}/revoke`}>
      <CsrfField viewer={props.viewer} />
      <button type="submit" aria-label={`${props.locale.t('devices.revoke')}: ${props.hostname}`}>
        {props.locale.t('devices.revoke')}
      </button>
    </form>
  );
}

/** Devices that need a visit: silent and at-risk ones, duplicated hardware, and re-enrolled PCs. */
export function DevicesPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  attention: AttentionDevice[];
  conflicts: Conflict[];
  reenrollments: Reenrollment[];
  canRevoke: boolean;
  revoked: boolean;
  problem: FormProblem | null;
}) {
  const { locale, viewer } = props;
  const t = locale.t;
  const withRevoke = <Row,>(
    columns: Column<Row>[],
    device: (r: Row) => { id: string; hostname: string },
  ): Column<Row>[] =>
    props.canRevoke
      ? [
          ...columns,
          {
            label: 'col.actions',
            value: () => null,
            cell: (r) => (
              <RevokeButton locale={locale} viewer={viewer} deviceId={device(r).id} hostname={device(r).hostname} />
            ),
          },
        ]
      : columns;
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('devices.title')}>
      <h1>{t('devices.title')}</h1>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.revoked && (
        <p class="notice" role="status">
          {t('devices.revoked')}
        </p>
      )}
      <h2>{t('devices.attention')}</h2>
      <ExportLinks locale={locale} base="/devices/attention" />
      <DataTable
        locale={locale}
        caption={t('devices.attention')}
        columns={withRevoke(attentionColumns(locale), (r) => r)}
        rows={props.attention}
        id="attention-table"
      />
      <h2>{t('devices.conflicts')}</h2>
      <ExportLinks locale={locale} base="/devices/conflicts" />
      <DataTable
        locale={locale}
        caption={t('devices.conflicts')}
        columns={withRevoke(conflictColumns(locale), (r) => r.device)}
        rows={props.conflicts}
        id="conflict-table"
      />
      <h2>{t('devices.reenrollments')}</h2>
      <ExportLinks locale={locale} base="/devices/reenrollments" />
      <DataTable
        locale={locale}
        caption={t('devices.reenrollments')}
        columns={withRevoke(reenrollmentColumns(locale), (r) => r.device)}
        rows={props.reenrollments}
        id="reenrollment-table"
      />
    </Layout>
  );
}
