import type { Logger } from '../log.ts';

/*
 * Whether an error means "the database cannot be reached right now" (restarting, shutting down, failing over,
 * the network to it down) rather than a fault in santong or in the request: those are answered 503 with a
 * Retry-After (decision 197), so agents keep their outbox and try again, and the server stays up.
 */

/** How long a client is asked to wait before trying again while the database is unreachable, in seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/**
 * SQLSTATEs (PostgreSQL appendix A) of a database going away or not there yet: 57P01 admin_shutdown (a fast
 * shutdown ends every session), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up, shutting down, in
 * recovery), and class 08, connection exceptions.
 */
const unavailableStates = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006']);

/** Socket errors of a connection to the database that could not be opened: refused, no socket file, no route. */
const unreachable = new Set(['ECONNREFUSED', 'ENOENT', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'EAI_AGAIN']);

/** Socket errors of a connection that was open and broke under a query. */
const broken = new Set(['ECONNRESET', 'EPIPE']);

/** The pg driver's own words when the server's end of a connection went away, or the pool could not get one. */
const driverMessages = [
  /^Connection terminated( unexpectedly| due to connection timeout)?$/,
  /^Client has encountered a connection error and is not queryable$/,
  /^timeout exceeded when trying to connect$/,
];

interface ErrorFields {
  code?: unknown;
  syscall?: unknown;
  message?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function unavailableHere(error: ErrorFields): boolean {
  const code = typeof error.code === 'string' ? error.code : undefined;
  if (code && unavailableStates.has(code)) return true;
  // Only a failed connect: ENOENT from reading a file, say, is no database outage.
  if (code && unreachable.has(code) && (error.syscall === 'connect' || error.syscall === 'getaddrinfo')) return true;
  if (code && broken.has(code) && (error.syscall === 'read' || error.syscall === 'write')) return true;
  return typeof error.message === 'string' && driverMessages.some((m) => m.test(error.message as string));
}

/**
 * True when `error` (or what it wraps: drizzle's DrizzleQueryError keeps the driver's error as `cause`; a
 * connect to a name with several addresses fails with an AggregateError of each) says the database is unreachable.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > 4) return false;
  const fields = error as ErrorFields;
  if (unavailableHere(fields)) return true;
  if (fields.cause !== undefined && isDatabaseUnavailable(fields.cause, depth + 1)) return true;
  return Array.isArray(fields.errors) && fields.errors.some((e) => isDatabaseUnavailable(e, depth + 1));
}

/** What a client is told while the database is unreachable (the API's and the command line's English). */
export const DATABASE_UNAVAILABLE_MESSAGE = `the database is unreachable (restarting or down); nothing was stored: retry in ${DATABASE_RETRY_AFTER_SECONDS} seconds`;

/**
 * A log of an outage that does not write a line per refused request (a county's PCs retrying would flood it):
 * the first refusal is logged with its error, then one line at most every `everyMs` with how many were refused.
 */
export function outageLog(logger: Pick<Logger, 'warn'>, clock: () => number = Date.now, everyMs = 10_000) {
  let lastLogged = -Infinity;
  let refusedSince = 0;
  return {
    refused(error: unknown) {
      refusedSince++;
      const now = clock();
      if (now - lastLogged < everyMs) return;
      const err = error as { code?: unknown; message?: unknown; cause?: { code?: unknown; message?: unknown } };
      logger.warn(
        {
          refused: refusedSince,
          code: err.cause?.code ?? err.code,
          reason: err.cause?.message ?? err.message,
        },
        `the database is unreachable: requests are answered 503 with Retry-After ${DATABASE_RETRY_AFTER_SECONDS}`,
      );
      lastLogged = now;
      refusedSince = 0;
    },
  };
}

/**
 * The database was unreachable where the error happened but the error itself could not come along (a worker
 * thread passes only a message): recognised by `isDatabaseUnavailable` through its SQLSTATE, 08006
 * connection_failure.
 */
export class DatabaseUnavailableError extends Error {
  readonly code = '08006';
}
