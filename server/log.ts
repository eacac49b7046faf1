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
