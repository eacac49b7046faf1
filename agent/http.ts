import { readFileSync } from 'node:fs';
import {
  Agent as HttpAgent,
  request as httpRequest,
  type ClientRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type RequestOptions,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

export type HttpSettings = {
  /** Proxy URL from the agent's settings; HTTP(S)_PROXY and NO_PROXY from the environment apply otherwise. */
  proxy?: string | undefined;
  /** PEM file of a CA that signed the server's certificate (a bureau's own CA), added to the public roots. */
  caFile?: string | undefined;
  /**
   * Keep up to this many connections per server open between direct requests: for the demo fleet's
   * thousands of PCs in one process. The agent itself sends a few requests an hour, one connection each.
   */
  keepAliveConnections?: number | undefined;
};

export type HttpRequestOptions = {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
  /** Longest silence while waiting for the response head or between body chunks. */
  timeoutMs?: number;
};

export type HttpResponse = {
  statusCode: number;
  headers: IncomingHttpHeaders;
  /** The body as it arrives; read it, or destroy it when only the head mattered. */
  body: IncomingMessage;
  text(): Promise<string>;
};

/** How the agent sends HTTP: directly or through the school's proxy (createDispatcher). */
export type Dispatcher = {
  request(url: string | URL, o?: HttpRequestOptions): Promise<HttpResponse>;
  /** Ends requests still in flight and closes kept connections. */
  close(): Promise<void>;
};

const CONNECT_TIMEOUT_MS = 15_000;
const SILENCE_TIMEOUT_MS = 60_000;

/**
 * The one HTTP client of the agent, on node's own http/https (no WebAssembly parser, nothing held
 * between hourly reports). Schools often reach the internet only through a county proxy, so the proxy
 * settings apply to every request: an https URL through a CONNECT tunnel, an http URL as an
 * absolute-form request to the proxy (what Squid allows by default; it refuses CONNECT to other ports than 443).
 * NO_PROXY still names hosts to reach directly.
 */
export function createDispatcher(settings: HttpSettings, env: NodeJS.ProcessEnv = process.env): Dispatcher {
  // One TLS context for the client's life: given `ca` instead, node builds a context per connection and
  // parses every root certificate into it again (~0.2 MiB of native memory per request, kept by malloc).
  const tlsContext = settings.caFile
    ? createSecureContext({ ca: [...rootCertificates, readFileSync(settings.caFile, 'utf8')] })
    : undefined;
  const proxies = proxySettings(settings.proxy, env);
  const n = settings.keepAliveConnections;
  const pool = n
    ? {
        http: new HttpAgent({ keepAlive: true, maxSockets: n }),
        https: new HttpsAgent({ keepAlive: true, maxSockets: n, ...(tlsContext ? { secureContext: tlsContext } : {}) }),
      }
    : undefined;
  const inFlight = new Set<ClientRequest>();
  return {
    async request(url, o = {}) {
      const target = new URL(url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:')
        throw new Error(`${target.href} is not an http(s) URL`);
      const proxy = proxyFor(target, proxies);
      const secure = target.protocol === 'https:';
      const headers: OutgoingHttpHeaders = { ...o.headers, host: target.host };
      if (o.body !== undefined) headers['content-length'] = Buffer.byteLength(o.body);
      const host = bareHost(target.hostname);
      const tls = secure ? { ...(tlsContext ? { secureContext: tlsContext } : {}), ...sni(host) } : {};
      const port = Number(target.port) || (secure ? 443 : 80);
      let send = secure ? httpsRequest : httpRequest;
      let options: RequestOptions;
      if (!proxy) {
        options = {
          host,
          port,
          path: target.pathname + target.search,
          headers,
          ...tls,
          agent: pool ? pool[secure ? 'https' : 'http'] : false,
        };
      } else if (!secure) {
        send = proxy.protocol === 'https:' ? httpsRequest : httpRequest;
        options = {
          ...proxyEndpoint(proxy, tlsContext),
          path: target.href,
          headers: { ...headers, ...proxyAuthorization(proxy) },
          agent: false,
        };
      } else {
        const socket = await tunnel(proxy, `${target.hostname}:${port}`, tlsContext, o);
        options = {
          host,
          port,
          path: target.pathname + target.search,
          headers,
          createConnection: () => tlsConnect({ socket, host, ...tls }),
        };
      }
      return exchange(
        send,
        { ...options, method: o.method ?? 'GET', ...(o.signal ? { signal: o.signal } : {}) },
        o,
        inFlight,
      );
    },
    async close() {
      for (const req of inFlight) req.destroy();
      pool?.http.destroy();
      pool?.https.destroy();
    },
  };
}

/**
 * Sends one request and resolves at the response head; connect and silence timeouts end it with ETIMEDOUT.
 * A kept-alive socket the server closed as it was reused (its idle timeout and our request crossed) is reset
 * before anything of the request was answered: sent again once on a new socket, as node's http docs advise
 * (`request.reusedSocket`). Every request the agent makes may be repeated (reports are stored once per id).
 */
function exchange(
  send: typeof httpRequest,
  options: RequestOptions,
  o: HttpRequestOptions,
  inFlight: Set<ClientRequest>,
  resent = false,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = send(options);
    inFlight.add(req);
    req.once('close', () => inFlight.delete(req));
    // After the head, errors reach the body's reader instead.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (!resent && req.reusedSocket && error.code === 'ECONNRESET' && !o.signal?.aborted)
        resolve(exchange(send, options, o, inFlight, true));
      else reject(error);
    });
    guardTimeouts(req, o.timeoutMs ?? SILENCE_TIMEOUT_MS);
    req.once('response', (body: IncomingMessage) => {
      body.on('error', () => {}); // a body nobody reads may still fail (the server went away): not a crash
      resolve({ statusCode: body.statusCode ?? 0, headers: body.headers, body, text: () => readText(body) });
    });
    req.end(o.body);
  });
}

function guardTimeouts(req: ClientRequest, silenceMs: number): void {
  req.setTimeout(silenceMs, () => req.destroy(timeoutError(`no answer for ${silenceMs / 1000} s`)));
  req.once('socket', (socket: Socket) => {
    if (!socket.connecting) return;
    const timer = setTimeout(
      () => req.destroy(timeoutError(`could not connect within ${CONNECT_TIMEOUT_MS / 1000} s`)),
      CONNECT_TIMEOUT_MS,
    );
    socket.once('connect', () => clearTimeout(timer));
    socket.once('close', () => clearTimeout(timer));
  });
}

/** Asks the proxy for a tunnel to host:port (HTTP CONNECT) and resolves with the open socket. */
function tunnel(
  proxy: URL,
  authority: string,
  tlsContext: SecureContext | undefined,
  o: HttpRequestOptions,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const send = proxy.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers = { host: authority, ...proxyAuthorization(proxy) };
    const req = send({
      ...proxyEndpoint(proxy, tlsContext),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      ...(o.signal ? { signal: o.signal } : {}),
    });
    req.on('error', reject);
    guardTimeouts(req, o.timeoutMs ?? SILENCE_TIMEOUT_MS);
    req.once('connect', (res: IncomingMessage, socket: Socket) => {
      socket.setTimeout(0); // the request on the tunnel keeps its own timeouts
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`the proxy refused a tunnel to ${authority}: HTTP ${res.statusCode}`));
    });
    req.end();
  });
}

function proxyEndpoint(proxy: URL, tlsContext: SecureContext | undefined): RequestOptions {
  const host = bareHost(proxy.hostname);
  const secure = proxy.protocol === 'https:';
  return {
    host,
    port: Number(proxy.port) || (secure ? 443 : 80),
    ...(secure ? { ...(tlsContext ? { secureContext: tlsContext } : {}), ...sni(host) } : {}),
  };
}

function proxyAuthorization(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'proxy-authorization': `Basic ${Buffer.from(credentials).toString('base64')}` };
}

export type ProxySettings = { http: string | undefined; https: string | undefined; noProxy: string };

/** The agent's proxy wins for both schemes; else http(s)_proxy, an https URL falling back to the http proxy (curl's and undici's rule). */
export function proxySettings(configured: string | undefined, env: NodeJS.ProcessEnv): ProxySettings {
  const http = configured ?? env.http_proxy ?? env.HTTP_PROXY;
  const https = (configured ?? env.https_proxy ?? env.HTTPS_PROXY) || http;
  return { http: http || undefined, https: https || undefined, noProxy: env.no_proxy ?? env.NO_PROXY ?? '' };
}

/**
 * The proxy for a URL, or undefined to go direct. NO_PROXY is a comma- or space-separated list of
 * hosts, each optionally with :port; an entry matches the host and its subdomains (".example.cn" and
 * "*.example.cn" are the same entry), "*" matches everything.
 */
export function proxyFor(target: URL, p: ProxySettings): URL | undefined {
  const chosen = target.protocol === 'https:' ? p.https : p.http;
  if (!chosen || p.noProxy.trim() === '*') return undefined;
  const host = target.hostname.toLowerCase();
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  for (const entry of p.noProxy.split(/[,\s]/)) {
    if (!entry) continue;
    const m = /^(.+):(\d+)$/.exec(entry);
    const name = (m ? m[1]! : entry).replace(/^\*?\./, '').toLowerCase();
    if (m && Number(m[2]) !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return undefined;
  }
  const proxy = new URL(chosen);
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:')
    throw new Error(`proxy ${proxy.protocol}// is not supported: give an http:// or https:// proxy URL`);
  return proxy;
}

async function readText(body: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** URL hostnames keep IPv6 brackets; sockets want the bare address. */
function bareHost(hostname: string): string {
  return hostname.replace(/^\[(.*)\]$/, '$1');
}

/** TLS server name indication, which RFC 6066 does not allow for an IP address. */
function sni(host: string): { servername?: string } {
  return isIP(host) ? {} : { servername: host };
}

function timeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: 'ETIMEDOUT' });
}

/** A one-line error message, with the system error code (ECONNREFUSED …) when there is one. */
export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
