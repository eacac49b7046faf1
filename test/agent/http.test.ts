import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, proxyFor, proxySettings } from '../../agent/http.ts';
import {
  closeServer,
  hasOpenssl,
  listen,
  loopbackCertificate,
  startProxy,
  startScriptedServer,
} from './http-fixture.ts';
import { tempDir } from './report-fixture.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

describe('which requests go through the proxy', () => {
  const via = (url: string, configured: string | undefined, env: NodeJS.ProcessEnv) =>
    proxyFor(new URL(url), proxySettings(configured, env))?.href;

  it('uses the configured proxy for both schemes, else HTTPS_PROXY for https and HTTP_PROXY for http (and for https without HTTPS_PROXY)', () => {
    expect(via('https://a.cn/', 'http://p:3128', { HTTPS_PROXY: 'http://other:1' })).toBe('http://p:3128/');
    expect(via('http://a.cn/', 'http://p:3128', {})).toBe('http://p:3128/');
    expect(via('https://a.cn/', undefined, { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:2' })).toBe(
      'http://s:1/',
    );
    expect(via('http://a.cn/', undefined, { HTTPS_PROXY: 'http://s:1', HTTP_PROXY: 'http://h:2' })).toBe('http://h:2/');
    expect(via('https://a.cn/', undefined, { http_proxy: 'http://h:2' })).toBe('http://h:2/');
    expect(via('http://a.cn/', undefined, { HTTPS_PROXY: 'http://s:1' })).toBeUndefined();
    expect(via('https://a.cn/', undefined, {})).toBeUndefined();
  });

  it('leaves out NO_PROXY hosts, their subdomains and matching ports; "*" leaves out everything', () => {
    const env = { HTTP_PROXY: 'http://p:3128', NO_PROXY: 'localhost, .edu.cn *.lan 10.1.1.1:8080' };
    expect(via('http://localhost:8080/', undefined, env)).toBeUndefined();
    expect(via('http://santong.lx.edu.cn/', undefined, env)).toBeUndefined();
    expect(via('http://edu.cn/', undefined, env)).toBeUndefined();
    expect(via('http://box.lan/', undefined, env)).toBeUndefined();
    expect(via('http://10.1.1.1:8080/', undefined, env)).toBeUndefined();
    expect(via('http://10.1.1.1/', undefined, env)).toBe('http://p:3128/');
    expect(via('http://notedu.cn/', undefined, env)).toBe('http://p:3128/');
    expect(via('http://a.cn/', 'http://mine:1', { NO_PROXY: '*' })).toBeUndefined();
  });

  it('refuses a proxy it cannot speak to with a message that says what to give', () => {
    expect(() => via('http://a.cn/', 'socks5://p:1080', {})).toThrow(/http:\/\/ or https:\/\//);
  });
});

describe.skipIf(!hasOpenssl)("through a real proxy to an https server signed by a bureau's own CA", () => {
  let cert: string;
  let server: HttpsServer;
  let url: string;
  beforeAll(async () => {
    const { dir, cleanup } = await tempDir();
    const certificate = loopbackCertificate(dir);
    cert = certificate.certFile;
    server = createHttpsServer({ key: certificate.key, cert: certificate.cert }, (req, res) =>
      res.end(`${req.method} ${req.url} ${req.headers.host}`),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return async () => {
      await closeServer(server as never);
      await cleanup();
    };
  });

  it('tunnels with CONNECT, checks the certificate against the CA file, and sends proxy credentials from the URL', async () => {
    const authorizations: Array<string | undefined> = [];
    const proxy = await startProxy((req) => (authorizations.push(req.headers['proxy-authorization']), true));
    closers.push(proxy.close);
    const withCredentials = proxy.url.replace('http://', 'http://school%20a:p%40ss@');
    const trusting = createDispatcher({ proxy: withCredentials, caFile: cert }, {});
    closers.push(trusting.close);
    const res = await trusting.request(`${url}/api/v1/x?y=1`, { method: 'POST', body: '{}' });
    expect(res.statusCode).toBe(200);
    expect(await res.text()).toBe(`POST /api/v1/x?y=1 ${new URL(url).host}`);
    expect(proxy.carried).toEqual([`CONNECT ${new URL(url).host}`]);
    expect(authorizations).toEqual([`Basic ${Buffer.from('school a:p@ss').toString('base64')}`]);

    const untrusting = createDispatcher({ proxy: proxy.url }, {});
    closers.push(untrusting.close);
    await expect(untrusting.request(url)).rejects.toThrow(/certificate/i);
  });

  it('says so when the proxy refuses the tunnel', async () => {
    const proxy = await startProxy(() => false);
    closers.push(proxy.close);
    const client = createDispatcher({ proxy: proxy.url, caFile: cert }, {});
    closers.push(client.close);
    await expect(client.request(url)).rejects.toThrow(/proxy refused a tunnel to 127\.0\.0\.1:\d+: HTTP 407/);
  });
});

describe('plain http', () => {
  it('goes to the proxy in absolute form, and straight to a NO_PROXY host', async () => {
    const server = await startScriptedServer(() => ({ status: 200, body: 'ok' }));
    const proxy = await startProxy();
    closers.push(server.close, proxy.close);
    const proxied = createDispatcher({}, { HTTP_PROXY: proxy.url });
    const direct = createDispatcher({}, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    closers.push(proxied.close, direct.close);
    expect(await (await proxied.request(`${server.url}/healthz`)).text()).toBe('ok');
    expect(proxy.carried).toEqual([`GET ${server.url}/healthz`]);
    expect(await (await direct.request(`${server.url}/healthz`)).text()).toBe('ok');
    expect(proxy.carried).toHaveLength(1);
    expect(server.requests.map((r) => r.url)).toEqual(['/healthz', '/healthz']);
  });

  it('sends again, once, on a new socket when the server closed a kept-alive socket as it was reused', async () => {
    // The second request on every socket finds it reset, as when the server's idle timeout and a send cross.
    const perSocket = new WeakMap<object, number>();
    const seen: string[] = [];
    const server = createHttpServer((req, res) => {
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      seen.push(`${req.url}#${n}`);
      if (n > 1) return req.socket.destroy();
      res.end('ok');
    });
    const url = await listen(server);
    closers.push(() => closeServer(server));
    const pooled = createDispatcher({ keepAliveConnections: 1 }, {});
    closers.push(pooled.close);
    expect(await (await pooled.request(`${url}/a`)).text()).toBe('ok');
    expect(await (await pooled.request(`${url}/b`, { method: 'POST', body: '{}' })).text()).toBe('ok');
    expect(seen).toEqual(['/a#1', '/b#2', '/b#1']);
  });

  it('gives up on a server that accepts but never answers, with ETIMEDOUT', async () => {
    const silent = createHttpServer(() => {});
    const url = await listen(silent);
    closers.push(() => closeServer(silent));
    const client = createDispatcher({}, {});
    closers.push(client.close);
    await expect(client.request(url, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });
});
