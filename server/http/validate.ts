import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { z } from 'zod';
import { DomainError } from '../errors.ts';
import { refuseDeepJson } from './json-nesting.ts';

/** Issues as `{ path, message }` with dotted paths such as `reports.3.collectedAt`. */
export function describeIssues(error: {
  issues: readonly { path: readonly PropertyKey[]; message: string }[];
}): { path: string; message: string }[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.') || '(body)', message: issue.message }));
}

/**
 * zod validation at the edge of every route: a rejected input becomes a 400 that names each bad
 * field and what it takes, before any handler (and so any write) runs. A JSON body is first checked
 * for nesting on its raw bytes (json-nesting.ts), so a hostile one is refused before it is parsed.
 */
export const validate = <Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) => {
  const check = zValidator(target, schema, (result) => {
    if (!result.success) {
      const issues = describeIssues(result.error);
      const summary = issues
        .slice(0, 5)
        .map((i) => `${i.path}: ${i.message}`)
        .join('; ');
      throw new DomainError(
        'invalid',
        'invalid_input',
        `invalid ${target}: ${summary}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`,
        issues,
        { fieldIssues: result.error.issues },
      );
    }
  });
  if (target !== 'json') return check;
  const checkJson: typeof check = async (c, next) => {
    await refuseDeepJson(c.req);
    return check(c, next);
  };
  return checkJson;
};
