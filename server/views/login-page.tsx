import type { Viewer } from '../access/principals.ts';
import type { FirstRun } from '../accounts/first-run.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, Layout } from './layout.tsx';

/**
 * The sign-in form; `problem` is shown above it after a failed attempt. On a server with no account yet,
 * `firstRun` says how to make the first one (and load the roster), since nobody could sign in otherwise.
 */
export function LoginPage(props: {
  locale: Locale;
  viewer: Viewer;
  next: string;
  problem: 'login.failed' | 'login.locked' | null;
  firstRun?: FirstRun | null | undefined;
  /** The username typed in a refused attempt, kept so only the password is typed again. */
  username?: string;
}) {
  const firstRun = props.firstRun?.account ? props.firstRun : null;
  const t = props.locale.t;
  return (
    <Layout
      locale={props.locale}
      viewer={props.viewer}
      path={`/login?next=${encodeURIComponent(props.next)}`}
      title={t('login.title')}
    >
      <section class={firstRun ? 'login first-run' : 'login'}>
        <h1>{t('login.title')}</h1>
        <p class="meta">{t('app.tagline')}</p>
        {props.problem && (
          <p class="error" role="alert">
            {t(props.problem)}
          </p>
        )}
        <form class="stacked" method="post" action="/login">
          <CsrfField viewer={props.viewer} />
          <input type="hidden" name="next" value={props.next} />
          <label>
            {t('login.username')}
            <input name="username" autocomplete="username" required autofocus value={props.username} />
          </label>
          <label>
            {t('login.password')}
            <input name="password" type="password" autocomplete="current-password" required />
          </label>
          <button type="submit">{t('login.submit')}</button>
        </form>
        {firstRun && (
          <section class="notice" id="first-run" aria-labelledby="first-run-title">
            <h2 id="first-run-title">{t('firstRun.title')}</h2>
            <ol>
              <li>
                {t('firstRun.account')}
                <pre>
                  <code>{firstRun.account}</code>
                </pre>
              </li>
              {firstRun.roster && (
                <li>
                  {t('firstRun.roster')}
                  <pre>
                    <code>{firstRun.roster}</code>
                  </pre>
                </li>
              )}
              <li>{t('firstRun.signIn')}</li>
            </ol>
          </section>
        )}
      </section>
    </Layout>
  );
}
