import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';

/**
 * The security headers of every response. The pages need no script at all, so scripts are allowed from
 * nowhere; styles from our own stylesheet plus inline `style` attributes (bar widths, the printable
 * checklist). No framing (clickjacking), no MIME sniffing, no full URLs leaked in Referer. An HTTPS-only
 * deployment (SANTONG_HTTPS_ONLY=1) adds HSTS for a year: a browser that once reached the dashboard never
 * again sends its session cookie over plain HTTP. Not includeSubDomains: other sites of a bureau's domain
 * may not be on HTTPS yet. The rest are the defaults of Hono's secureHeaders, which built this list before
 * decision 184 (cross-origin isolation of our documents, no DNS prefetch, no legacy XSS filter). Last, the
 * caching every answer has unless its route says otherwise (securityHeaders).
 */
export function securityHeaderList(options: { httpsOnly: boolean }): readonly (readonly [string, string])[] {
  const csp = [
    "default-src 'self'",
    "script-src 'none'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
  ].join('; ');
  return Object.freeze([
    ['content-security-policy', csp],
    ['cross-origin-opener-policy', 'same-origin'],
    ['cross-origin-resource-policy', 'same-origin'],
    ['origin-agent-cluster', '?1'],
    ['referrer-policy', 'same-origin'],
    ['x-content-type-options', 'nosniff'],
    ['x-dns-prefetch-control', 'off'],
    ['x-download-options', 'noopen'],
    ['x-frame-options', 'DENY'],
    ['x-permitted-cross-domain-policies', 'none'],
    ['x-xss-protection', '0'],
    ...(options.httpsOnly ? [['strict-transport-security', 'max-age=31536000'] as const] : []),
    ['cache-control', 'no-store'],
  ] as const);
}

/**
 * The security headers on every response, and `cache-control: no-store` unless the route chose its own caching (the
 * stylesheet keeps its five minutes): API answers (JSON, CSV, XLSX) and pages carry scoped figures, device lists
 * and audit entries, which no browser or shared cache may keep, and nothing else we serve needs caching.
 * A route that sets one of the security headers itself would keep its own too; none does.
 *
 * Served by @hono/node-server, they go onto Node's response before the app runs, and Node merges them with the
 * answer's own headers when it writes them: set on Hono's Response afterwards, they turned its plain header object
 * into a Headers instance, and `cache-control` after the handler even rebuilt the whole answer as a stream, which
 * cost ~14 µs of CPU a /healthz and ~115 µs a top read (decision 184). Without Node (app.request() in tests,
 * another runtime) they are set on the Response afterwards, as before.
 */
export function securityHeaders(options: { httpsOnly: boolean }): MiddlewareHandler<AppEnv> {
  const headers = securityHeaderList(options);
  return (c, next) => {
    const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
    if (outgoing) {
      for (const [name, value] of headers) outgoing.setHeader(name, value);
      return next();
    }
    return next().then(() => {
      const own = c.res.headers;
      for (const [name, value] of headers) if (!own.has(name)) own.set(name, value);
    });
  };
}
