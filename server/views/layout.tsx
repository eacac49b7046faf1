import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import type { Viewer } from '../access/principals.ts';
import type { User } from '../access/principals.ts';
import type { Locale } from '../i18n/locale.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';

export interface PageProps {
  locale: Locale;
  viewer: Viewer;
  /** The current path with its query, for the language switch to come back to and for aria-current. */
  path: string;
  title: string;
  children?: Child;
}

/** The links a user's role gives them; the server checks scope again on every one of them. */
function navFor(user: User): { href: string; label: MessageKey }[] {
  const items: { href: string; label: MessageKey }[] = [];
  if (user.role === 'bureau') items.push({ href: '/', label: 'nav.overview' });
  if (user.role === 'county') items.push({ href: `/counties/${user.divisionCode}`, label: 'nav.county' });
  if (user.role === 'school') items.push({ href: `/schools/${user.schoolCode}`, label: 'nav.school' });
  items.push({ href: '/devices', label: 'nav.devices' });
  if (user.role !== 'school') {
    items.push(
      { href: '/enrollment', label: 'nav.enrollment' },
      { href: '/declarations', label: 'nav.declarations' },
      { href: '/calendar', label: 'nav.calendar' },
      { href: '/inspections', label: 'nav.inspections' },
      { href: '/platforms', label: 'nav.platforms' },
    );
  }
  // Accounts and tokens are the root bureau's (decision 150): a bureau confined to a division gets no dead links.
  if (user.role === 'bureau' && user.divisionCode === null)
    items.push({ href: '/admin/users', label: 'nav.users' }, { href: '/admin/api-tokens', label: 'nav.apiTokens' });
  return items;
}

/** A hidden field with the CSRF token; every form on every page includes it. */
export function CsrfField(props: { viewer: Viewer }) {
  return <input type="hidden" name="_csrf" value={props.viewer.csrfToken} />;
}

/** The page frame: header with navigation, language switch and sign-out, then the page's content. */
export function Layout(props: PageProps) {
  const { locale, viewer, path } = props;
  const t = locale.t;
  const user = viewer.user;
  const other = locale.lang === 'zh-CN' ? 'en' : 'zh-CN';
  const pathname = path.split('?')[0];
  return (
    <>
      {raw('<!DOCTYPE html>')}
      <html lang={locale.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${props.title} · ${t('app.name')}`}</title>
          <link rel="stylesheet" href="/assets/app.css" />
        </head>
        <body>
          <a class="skip" href="#main">
            {t('nav.skip')}
          </a>
          <header class="top">
            <a class="brand" href="/">
              {t('app.name')}
            </a>
            {user && (
              <nav aria-label={t('app.name')}>
                <ul>
                  {navFor(user).map((item) => (
                    <li>
                      <a href={item.href} aria-current={item.href === pathname ? 'page' : undefined}>
                        {t(item.label)}
                      </a>
                    </li>
                  ))}
                </ul>
              </nav>
            )}
            <a href={`/lang/${other}?back=${encodeURIComponent(path)}`} lang={other} hreflang={other}>
              {t('nav.language')}
            </a>
            {user && (
              <>
                <span class="who">{`${t('nav.signedInAs')} ${user.username} · ${t(`role.${user.role}`)}`}</span>
                <form class="inline" method="post" action="/logout">
                  <CsrfField viewer={viewer} />
                  <button class="link" type="submit">
                    {t('nav.signOut')}
                  </button>
                </form>
              </>
            )}
          </header>
          <main id="main">{props.children}</main>
          {user && (
            <footer>
              <p class="meta">{t('footer.timeZone')}</p>
            </footer>
          )}
        </body>
      </html>
    </>
  );
}

/** Links to the CSV and XLSX export of the table shown beside them (same filters). */
export function ExportLinks(props: { locale: Locale; base: string; query?: string }) {
  const q = props.query ? `?${props.query}` : '';
  return (
    <p class="exports">
      <a href={`${props.base}.csv${q}`} download>
        {props.locale.t('export.csv')}
      </a>
      <a href={`${props.base}.xlsx${q}`} download>
        {props.locale.t('export.xlsx')}
      </a>
    </p>
  );
}
