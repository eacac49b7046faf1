import type { listApiTokens } from '../auth/api-token-read.ts';
import type { Viewer } from '../access/principals.ts';
import type { listUsers } from '../accounts/users.ts';
import { typed, type FormProblem } from '../http/form-problem.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, ExportLinks, Layout } from './layout.tsx';
import { ProblemAlert } from './problem-alert.tsx';
import { DataTable, type Column } from './table.tsx';

export type UserRow = Awaited<ReturnType<typeof listUsers>>[number];
export type ApiTokenRow = Awaited<ReturnType<typeof listApiTokens>>[number];

/** User list columns (page and export); password hashes never leave the accounts module. */
export function userColumns(locale: Locale): Column<UserRow>[] {
  return [
    { label: 'col.username', value: (r) => r.username },
    { label: 'col.role', value: (r) => locale.t(`role.${r.role}`) },
    { label: 'col.scope', value: (r) => r.schoolCode ?? r.divisionCode ?? locale.t('value.wholePrefecture') },
    { label: 'col.createdAt', value: (r) => r.createdAt, time: 'instant' },
    {
      label: 'col.state',
      value: (r) => (r.disabledAt === null ? locale.t('state.active') : locale.t('state.disabled')),
      cell: (r) => (
        <span class={r.disabledAt === null ? 'yes' : 'no'}>
          {locale.t(r.disabledAt === null ? 'state.active' : 'state.disabled')}
        </span>
      ),
    },
  ];
}

/** Disable or enable, and set a new password: the bureau's actions on one account (page only). */
function userActions(locale: Locale, viewer: Viewer): Column<UserRow> {
  const t = locale.t;
  return {
    label: 'col.actions',
    value: () => null,
    cell: (r) =>
      r.id === viewer.user?.id ? null : (
        <div class="row-actions">
          <form
            class="row-action"
            method="post"
            action={`/admin/users/${r.id}/${r.disabledAt === null ? 'disable' : 'enable'}`}
          >
            <CsrfField viewer={viewer} />
            <button type="submit">{t(r.disabledAt === null ? 'users.disable' : 'users.enable')}</button>
          </form>
          <form class="row-action" method="post" action={`/admin/users/${r.id}/password`}>
            <CsrfField viewer={viewer} />
            <label>
              {t('users.newPassword')}
              <input name="password" type="password" required minlength={10} autocomplete="new-password" />
            </label>
            <button type="submit">{t('users.resetPassword')}</button>
          </form>
        </div>
      ),
  };
}

/** API token list columns (page and export). */
export function apiTokenColumns(locale: Locale): Column<ApiTokenRow>[] {
  return [
    { label: 'col.name', value: (r) => r.name },
    { label: 'col.scope', value: (r) => r.divisionCode ?? locale.t('value.wholePrefecture') },
    { label: 'col.createdAt', value: (r) => r.createdAt, time: 'instant' },
    { label: 'col.state', value: (r) => (r.revokedAt === null ? null : locale.t('state.revoked')) },
  ];
}

function tokenRevoke(locale: Locale, viewer: Viewer): Column<ApiTokenRow> {
  return {
    label: 'col.actions',
    value: () => null,
    cell: (r) =>
      r.revokedAt === null ? (
        <form class="row-action" method="post" action={`/admin/api-tokens/${r.id}/revoke`}>
          <CsrfField viewer={viewer} />
          <button type="submit">{locale.t('apiTokens.revoke')}</button>
        </form>
      ) : null,
  };
}

interface AdminProps {
  locale: Locale;
  viewer: Viewer;
  path: string;
  problem: FormProblem | null;
}

/** The bureau's user list and the form that creates an account. */
export function UsersPage(props: AdminProps & { users: UserRow[]; created: string | null; notice?: string | null }) {
  const { locale, viewer } = props;
  const t = locale.t;
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('users.title')}>
      <h1>{t('users.title')}</h1>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.created && <p class="notice" role="status">{`${t('users.created')}: ${props.created}`}</p>}
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <ExportLinks locale={locale} base="/admin/users" />
      <DataTable
        locale={locale}
        caption={t('users.title')}
        columns={[...userColumns(locale), userActions(locale, viewer)]}
        rows={props.users}
        id="user-table"
      />
      <h2>{t('users.create')}</h2>
      <form class="stacked" method="post" action="/admin/users">
        <CsrfField viewer={viewer} />
        <label>
          {t('col.username')}
          <input name="username" required autocomplete="off" value={typed(props.problem, '/admin/users', 'username')} />
        </label>
        <label>
          {t('login.password')}
          <input name="password" type="password" required minlength={10} autocomplete="new-password" />
        </label>
        <label>
          {t('col.role')}
          <select name="role">
            {(['county', 'school', 'bureau'] as const).map((role) => (
              <option value={role} selected={typed(props.problem, '/admin/users', 'role') === role}>
                {t(`role.${role}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('users.countyCode')}
          <input
            name="countyCode"
            inputmode="numeric"
            pattern="\d{6}"
            value={typed(props.problem, '/admin/users', 'countyCode')}
          />
        </label>
        <label>
          {t('users.schoolCode')}
          <input name="schoolCode" value={typed(props.problem, '/admin/users', 'schoolCode')} />
        </label>
        <button type="submit">{t('users.submit')}</button>
      </form>
    </Layout>
  );
}

/** The bureau's API token list and the form that issues one (shown once). */
export function ApiTokensPage(
  props: AdminProps & { tokens: ApiTokenRow[]; created: string | null; notice?: string | null },
) {
  const { locale, viewer } = props;
  const t = locale.t;
  return (
    <Layout locale={locale} viewer={viewer} path={props.path} title={t('apiTokens.title')}>
      <h1>{t('apiTokens.title')}</h1>
      <ProblemAlert locale={locale} problem={props.problem} />
      {props.created && (
        <section class="notice">
          <p>{t('apiTokens.created')}</p>
          <code class="secret" id="new-token">
            {props.created}
          </code>
        </section>
      )}
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <ExportLinks locale={locale} base="/admin/api-tokens" />
      <DataTable
        locale={locale}
        caption={t('apiTokens.title')}
        columns={[...apiTokenColumns(locale), tokenRevoke(locale, viewer)]}
        rows={props.tokens}
        id="api-token-table"
      />
      <h2>{t('apiTokens.create')}</h2>
      <form class="stacked" method="post" action="/admin/api-tokens">
        <CsrfField viewer={viewer} />
        <label>
          {t('apiTokens.name')}
          <input name="name" required maxlength={100} value={typed(props.problem, '/admin/api-tokens', 'name')} />
        </label>
        <label>
          {t('apiTokens.county')}
          <input
            name="countyCode"
            inputmode="numeric"
            pattern="\d{6}"
            value={typed(props.problem, '/admin/api-tokens', 'countyCode')}
          />
        </label>
        <button type="submit">{t('apiTokens.submit')}</button>
      </form>
    </Layout>
  );
}
