import { DomainError } from '../errors.ts';

/**
 * A domain error the person can fix by editing the form (invalid input, a conflict such as "already
 * declared") is shown on the form with its status; anything else (403, 404, 500) propagates to the
 * page error handler.
 */
export function formProblem(error: unknown): { message: string; status: 400 | 409 } {
  if (error instanceof DomainError && (error.failure === 'invalid' || error.failure === 'conflict'))
    return { message: error.message, status: error.failure === 'conflict' ? 409 : 400 };
  throw error;
}
