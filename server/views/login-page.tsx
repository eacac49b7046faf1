import type { Viewer } from '../access/principals.ts';
import type { Locale } from '../i18n/locale.ts';
import { CsrfField, Layout } from './layout.tsx';

/** The sign-in form; `problem` is shown above it after a failed attempt. */
export function LoginPage(props: {
  locale: Locale;
  viewer: Viewer;
  next: string;
  problem: 'login.failed' | 'login.locked' | null;
  /** The username typed in a refused attempt, kept so only the password is typed again. */
  username?: string;
}) {
  const t = props.locale.t;
  return (
    <Layout
      locale={props.locale}
      viewer={props.viewer}
      path={`/login?next=${encodeURIComponent(props.next)}`}
      title={t('login.title')}
    >
      <section class="login">
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
      </section>
    </Layout>
  );
}
