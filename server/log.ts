import pino from 'pino';

export type Logger = pino.Logger;

/**
 * Structured JSON logs on stdout. Anything that could carry a secret is redacted by path, and request
 * logging never records headers or bodies, so tokens and keys do not reach the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
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

/** The level of a request's line: /healthz (load balancers, agents' internet check) at debug, failures at error. */
type AccessLevel = 'debug' | 'info' | 'error';

/**
 * The access log: one line a request with its method, path, status and milliseconds, never headers or bodies
 * (they carry keys and tokens). Those four fields are all it writes and none is a key the redaction looks for, so
 * its lines skip the redaction pass, which was a third of the line's cost (decision 184).
 */
export function accessLog(logger: Logger) {
  const lines = logger.child({}, { redact: [] });
  return (request: { method: string; path: string; status: number; ms: number }) => {
    const level: AccessLevel = request.path === '/healthz' ? 'debug' : request.status >= 500 ? 'error' : 'info';
    lines[level](request, 'request');
  };
}
