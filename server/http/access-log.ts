import type { MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from './app-env.ts';

/**
 * Every request's start: the app's dependencies onto the context, then, once the answer is made, the access log's
 * line: method, path, status and milliseconds, never headers or bodies (they carry keys and tokens). /healthz
 * (load balancers, the agents' internet check) logs at debug, failures at error. Those four fields are all the
 * line holds and none is a key the logger redacts, so the line skips the redaction pass, which was a third of its
 * cost (decision 184).
 */
export function requestContext(deps: AppDeps): MiddlewareHandler<AppEnv> {
  const depEntries = Object.entries(deps) as [keyof AppEnv['Variables'], never][];
  const lines = deps.logger.child({}, { redact: [] });
  return async (c, next) => {
    for (const [key, value] of depEntries) c.set(key, value);
    const started = performance.now();
    await next();
    const path = c.req.path;
    const status = c.res.status;
    const level = path === '/healthz' ? 'debug' : status >= 500 ? 'error' : 'info';
    lines[level]({ method: c.req.method, path, status, ms: Math.round(performance.now() - started) }, 'request');
  };
}
