import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers on every response. The pages need no script at all, so scripts are allowed from
 * nowhere; styles from our own stylesheet plus inline `style` attributes (bar widths, the printable
 * checklist). No framing (clickjacking), no MIME sniffing, no full URLs leaked in Referer.
 */
export const securityHeaders = secureHeaders({
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
  strictTransportSecurity: false,
  crossOriginEmbedderPolicy: false,
});
