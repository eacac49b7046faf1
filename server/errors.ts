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

/**
 * A zod issue as the dashboard translates it (zod 4's issue union narrowed to the fields read): the code says
 * what went wrong, the bounds and format say how, and `params.problem` names a refinement's own message.
 */
export interface FieldIssue {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly input?: unknown;
  readonly origin?: string;
  readonly expected?: string;
  readonly format?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly params?: Record<string, unknown>;
}

/**
 * What a page needs to say the error in the reader's language (server/i18n/problems-*.ts): the values the
 * message names, and the zod issues behind an invalid input. The English `message` stays for the API and CLI.
 */
export interface ProblemDetails {
  readonly params?: Readonly<Record<string, string | number>>;
  readonly fieldIssues?: readonly FieldIssue[];
}

export class DomainError extends Error {
  constructor(
    readonly failure: Failure,
    readonly code: string,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly details: ProblemDetails = {},
  ) {
    super(message);
  }
}
