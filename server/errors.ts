/**
 * An error a user can act on, raised by domain rules and turned into an HTTP answer (or a CLI message)
 * at the edge. `code` is stable for scripts; `message` says what to do.
 */
export type Failure = 'invalid' | 'unauthorized' | 'forbidden' | 'not-found' | 'conflict' | 'too-large';

export const failureStatus = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'too-large': 413,
} as const satisfies Record<Failure, number>;

export class DomainError extends Error {
  constructor(
    readonly failure: Failure,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
  ) {
    super(message);
  }
}
