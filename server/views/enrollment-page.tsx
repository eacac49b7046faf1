import type { Viewer } from '../access/principals.ts';
import type { readRecentEnrollmentTokens, readSchoolChoices } from '../coverage/registry-read.ts';
import { MAX_TOKEN_DAYS, MAX_TOKEN_USES } from '../../shared/schemas/enroll.ts';
import { DEFAULT_EXTRA_USES, DEFAULT_TOKEN_DAYS, type NewEnrollmentToken } from '../enrollment/tokens.ts';
import { typed, type FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { AgentFiles, InstallCommands, ReleaseKeyFingerprints } from './install-commands.tsx';
import type { AgentOnOffer } from '../releases/agent-downloads.ts';
import { CsrfField, ExportLinks, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';

export type TokenRow = Awaited<ReturnType<typeof readRecentEnrollmentTokens>>[number];

/** Recent enrollment token columns (page and export); secrets are never stored, so never shown. */
export function tokenColumns(locale: Locale): Column<TokenRow>[] {
  return [
    { label: 'col.school', value: (r) => `${r.school.name} (${r.school.code})` },
    { label: 'col.createdAt', value: (r) => r.createdAt, time: 'instant' },
    {
      label: 'col.expiresAt',
      value: (r) => r.expiresAt,
      time: 'instant',
      cell: (r) => (r.expiresAt === null ? locale.t('value.unlimited') : locale.dateTime(r.expiresAt)),
    },
    { label: 'col.uses', value: (r) => `${r.uses} / ${r.maxUses ?? '∞'}` },
    { label: 'col.state', value: (r) => (r.revokedAt === null ? null : locale.t('state.revoked')) },
  ];
}

/** A revoke button for a token still in use; devices it already enrolled keep their keys. */
function revokeColumn(locale: Locale, viewer: Viewer): Column<TokenRow> {
  return {
    label: 'col.actions',
    value: () => null,
    cell: (r) =>
      r.revokedAt === null ? (
        <form class="row-action" method="post" action={`/enrollment/tokens/${r.id}/revoke`}>
          <CsrfField viewer={viewer} />
          <button type="submit">{locale.t('enrollment.revoke')}</button>
        </form>
      ) : null,
  };
}

/** Create a token for a school and see the exact install commands; the new token is shown once. */
export function EnrollmentPage(props: {
  locale: Locale;
  viewer: Viewer;
  path: string;
  schools: Awaited<ReturnType<typeof readSchoolChoices>>;
  tokens: TokenRow[];
  created: NewEnrollmentToken | null;
  serverUrl: string;
  /** False when SANTONG_PUBLIC_URL is unset and `serverUrl` is only the browser's origin. */
  publicUrlSet: boolean;
  /** A school code to fill in (from the school page's link). */
  prefillSchool: string | null;
  releaseKeyFingerprints: string[];
  /** The newest published agent and the installers and executables offered for download. */
  onOffer: AgentOnOffer;
  problem: FormProblem | null;
  revoked: boolean;
}) {
  const { locale, viewer } = props;
  const t = locale.t;
  const typedIn = (name: string) => typed(props.problem, '/enrollment', name);
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('enrollment.title')}>
      <h1>{t('enrollment.title')}</h1>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.revoked && (
        <p class="notice" role="status">
          {t('enrollment.revoked')}
        </p>
      )}
      {props.created && (
        <section class="notice" aria-live="polite">
          <p>
            <strong>{`${props.created.school.name} (${props.created.school.code})`}</strong>
            {` · ${t('enrollment.created')}`}
          </p>
          <code class="secret" id="new-token">
            {props.created.token}
          </code>
          {!props.publicUrlSet && (
            <p class="note" role="note">
              {locale.fill('school.publicUrlMissing', { origin: props.serverUrl })}
            </p>
          )}
          <InstallCommands
            locale={locale}
            serverUrl={props.serverUrl}
            token={props.created.token}
            onOffer={props.onOffer}
            releaseKeyFingerprints={props.releaseKeyFingerprints}
          />
        </section>
      )}
      {!props.created && (
        <>
          <AgentFiles locale={locale} onOffer={props.onOffer} />
          <ReleaseKeyFingerprints locale={locale} fingerprints={props.releaseKeyFingerprints} />
        </>
      )}
      <h2>{t('enrollment.create')}</h2>
      <form class="stacked" method="post" action="/enrollment">
        <CsrfField viewer={viewer} />
        <label>
          {t('enrollment.school')}
          <input
            name="schoolCode"
            list="school-choices"
            required
            autocomplete="off"
            value={typedIn('schoolCode') ?? props.prefillSchool ?? undefined}
          />
        </label>
        <datalist id="school-choices">
          {props.schools.map((s) => (
            <option value={s.code}>{s.name}</option>
          ))}
        </datalist>
        <label>
          {t('enrollment.expiresInDays')}
          <input
            name="expiresInDays"
            type="number"
            min="1"
            max={MAX_TOKEN_DAYS}
            value={typedIn('expiresInDays') ?? DEFAULT_TOKEN_DAYS}
          />
        </label>
        <label>
          {t('enrollment.maxUses')}
          <input
            name="maxUses"
            type="number"
            min="1"
            max={MAX_TOKEN_USES}
            placeholder={locale.fill('enrollment.maxUsesDefault', { extra: DEFAULT_EXTRA_USES })}
            value={typedIn('maxUses')}
          />
        </label>
        <button type="submit">{t('enrollment.submit')}</button>
      </form>
      <h2>{t('enrollment.recent')}</h2>
      <ExportLinks locale={locale} base="/enrollment/tokens" />
      <DataTable
        locale={locale}
        caption={t('enrollment.recent')}
        columns={[...tokenColumns(locale), revokeColumn(locale, viewer)]}
        rows={props.tokens}
        id="token-table"
      />
    </Layout>
  );
}
