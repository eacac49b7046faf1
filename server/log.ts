import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Where log lines go (stdout, fd 1, unless told): written synchronously, a line a write, as Node itself writes
 * stdout to files and pipes on Linux. pino's default for stdout writes from libuv's thread pool instead, and
 * handing each line to a thread and back cost ~30 µs of CPU a request's access-log line against ~5 µs for the
 * write itself (bench/per-request-ladder.ts, decision 184); nothing is held in a buffer a crash could lose.
 */
export function logDestination(dest: number | string = 1): pino.DestinationStream {
  return pino.destination({ dest, sync: true });
}

/**
 * Structured JSON logs on stdout. Anything that could carry a secret is redacted by path, and request
 * logging never records headers or bodies, so tokens and keys do not reach the log.
 */
export function createLogger(level: string, destination: pino.DestinationStream = logDestination()): Logger {
  return pino(
    {
      level,
      base: { service: 'santong' },
      redact: {
        paths: ['token', 'deviceKey', '*.token', '*.deviceKey', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
