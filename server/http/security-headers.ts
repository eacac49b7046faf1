import { createMiddleware } from 'hono/factory';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers on every response. The pages need no script at all, so scripts are allowed from
 * nowhere; styles from our own stylesheet plus inline `style` attributes (bar widths, the printable
 * checklist). No framing (clickjacking), no MIME sniffing, no full URLs leaked in Referer. An HTTPS-only
 * deployment (SANTONG_HTTPS_ONLY=1) adds HSTS for a year: a browser that once reached the dashboard never
 * again sends its session cookie over plain HTTP. Not includeSubDomains: other sites of a bureau's domain
 * may not be on HTTPS yet.
 */
export const securityHeaders = (options: { httpsOnly: boolean }) =>
  secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    xFrameOptions: 'DENY',
    xContentTypeOptions: 'nosniff',
    referrerPolicy: 'same-origin',
    strictTransportSecurity: options.httpsOnly ? 'max-age=31536000' : false,
    crossOriginEmbedderPolicy: false,
  });

/**
 * API answers (JSON, CSV, XLSX) carry scoped figures, device lists and audit entries: no browser or shared
 * cache may keep them. A route that chose its own caching keeps it.
 */
export const apiNoStore = createMiddleware(async (c, next) => {
  await next();
  if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
});
