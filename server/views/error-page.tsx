import type { Context, ErrorHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError, failureStatus } from '../errors.ts';
import { DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from '../db/unavailable.ts';
import { localeFor } from '../i18n/locale.ts';
import { problemText } from '../i18n/problem-text.ts';
import type { MessageKey } from '../i18n/zh-CN.ts';
import { Layout } from './layout.tsx';

const messages: Partial<Record<number, MessageKey>> = {
  403: 'error.forbidden',
  404: 'error.notFound',
  400: 'error.invalid',
};

/**
 * Errors on dashboard routes become an HTML page in the reader's language (the API keeps its JSON
 * errors): 401 sends the reader to sign in, 403/404/400 explain, anything else is logged and hidden.
 */
export const pageErrorHandler: ErrorHandler<AppEnv> = (error, c) => {
  let status = 500;
  let detail: string | null = null;
  if (error instanceof DomainError) {
    status = failureStatus[error.failure];
    // In the reader's language: the English message is the API's and the command line's (issue 18 item 4).
    detail = error.code === 'csrf_invalid' ? null : problemText((c.get('locale') ?? localeFor('zh-CN')).lang, error);
  } else if (error instanceof HTTPException) {
    status = error.status;
  } else if (isDatabaseUnavailable(error)) {
    // The database is restarting or down (decision 197): say so and when to try again, not "something went wrong".
    c.get('logger').warn({ path: c.req.path }, 'page answered 503: the database is unreachable');
    c.header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
    return renderError(c, 503, 'error.databaseUnavailable', null);
  } else {
    c.get('logger').error({ err: error, method: c.req.method, path: c.req.path }, 'unhandled error on a page');
  }
  if (status === 401) return c.redirect('/login', 302);
  return renderError(
    c,
    status,
    error instanceof DomainError && error.code === 'csrf_invalid' ? 'error.csrf' : (messages[status] ?? 'error.title'),
    detail,
  );
};

function renderError(c: Context<AppEnv>, status: number, message: MessageKey, detail: string | null) {
  const locale = c.get('locale') ?? localeFor('zh-CN');
  const viewer = c.get('viewer') ?? { user: null, csrfSecret: '', csrfToken: '' };
  const t = locale.t;
  return c.html(
    <Layout locale={locale} viewer={viewer} path={c.req.path} title={t('error.title')}>
      <h1>{t('error.title')}</h1>
      <p class="error" role="alert">
        {t(message)}
        {detail && status === 400 ? ` ${detail}` : ''}
      </p>
      <p>
        <a href="/">{t('error.back')}</a>
      </p>
    </Layout>,
    status as 400 | 503,
  );
}
