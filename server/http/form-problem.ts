import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { DomainError, type Failure } from '../errors.ts';
import { problemText } from '../i18n/problem-text.ts';
import type { AppEnv } from './app-env.ts';

/**
 * A refused form, ready to show on its own page: what went wrong in the reader's language, the form it
 * concerns (its action path, since a page can hold several forms, one per table row) and what was typed in it.
 */
export interface FormProblem {
  message: string;
  status: 400 | 404 | 409;
  action: string;
  values: Readonly<Record<string, string>>;
}

/* Errors the person can fix by editing the form: bad input, a conflict ("already declared"), a code typed in
 * the form that names nothing. Anything else (403, a CSRF failure, 500) keeps the page error handler's answer. */
const fixable: Partial<Record<Failure, FormProblem['status']>> = { invalid: 400, 'not-found': 404, conflict: 409 };

// Never sent back into a page: a password typed in a refused form is typed again.
const notEchoed = new Set(['_csrf', 'password']);

/** What was typed in the posted form, as text (the body Hono already parsed for the validator). */
async function typedValues(c: Context<AppEnv>): Promise<Record<string, string>> {
  const body = await c.req.parseBody().catch(() => ({}));
  return Object.fromEntries(
    Object.entries(body).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && !notEchoed.has(entry[0]),
    ),
  );
}

/**
 * Put before a form route's validator: a fixable refusal, whether from the validator or the domain rule behind
 * the handler, is answered with the form's own page (rendered by `render`), the problem said in the reader's
 * language and the typed values kept, instead of a bare error page that loses them (issue 18 item 4).
 */
export function keepForm(render: (c: Context<AppEnv>, problem: FormProblem) => Parameters<Context['html']>[0]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const error = c.error;
    if (!(error instanceof DomainError)) return;
    const status = fixable[error.failure];
    if (status === undefined || error.code === 'csrf_invalid') return;
    const problem: FormProblem = {
      message: problemText(c.get('locale').lang, error),
      status,
      action: c.req.path,
      values: await typedValues(c),
    };
    c.res = undefined;
    c.res = await c.html(render(c, problem), status);
  });
}

/** The value typed in field `name` of the form posting to `action`, when that form was refused. */
export function typed(problem: FormProblem | null | undefined, action: string, name: string): string | undefined {
  return problem && problem.action === action ? problem.values[name] : undefined;
}
