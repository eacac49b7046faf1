import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppEnv } from './app-env.ts';

/*
 * Behind a reverse proxy (SANTONG_TRUST_PROXY=1) every request arrives from the proxy's address, and
 * HTTPS ends at the proxy. Only then are X-Forwarded-For and X-Forwarded-Proto believed: without a
 * proxy any client could write them, and spoof its address past the login throttle.
 */

/**
 * The client's address for login throttling. Trusting a proxy: the last X-Forwarded-For entry, the one
 * our proxy appended (earlier entries come from the client and can be forged). Otherwise the socket's peer.
 */
export function clientAddress(c: Context<AppEnv>): string {
  if (c.get('trustProxy')) {
    const forwarded = c.req
      .header('x-forwarded-for')
      ?.split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .at(-1);
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // app.request() in tests has no socket
  }
}

/**
 * An HTTPS-only deployment (SANTONG_HTTPS_ONLY=1) names its cookies `__Host-…`: the browser then keeps
 * them only when Secure, for the whole site and without a Domain, so a sibling subdomain or a plain-HTTP
 * page on the way cannot plant or overwrite a session or CSRF cookie.
 */
export function cookiePrefix(c: Context<AppEnv>): 'host' | undefined {
  return c.get('httpsOnly') ? 'host' : undefined;
}

/** Whether the browser reached us over HTTPS: the proxy's X-Forwarded-Proto when trusted, else the request URL. */
export function requestIsHttps(c: Context<AppEnv>): boolean {
  if (c.get('trustProxy')) {
    const proto = c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
    if (proto) return proto === 'https';
  }
  return new URL(c.req.url).protocol === 'https:';
}
