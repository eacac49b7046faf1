import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createProxy } from 'proxy';

export type Recorded = { method: string; url: string; headers: IncomingMessage['headers']; body: string };
export type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

/**
 * A stand-in for the santong server on 127.0.0.1 that answers as a test scripts it, for the
 * responses the real server rarely gives (503, 413, a proxy's HTML 404). The real server is used in e2e tests.
 */
export async function startScriptedServer(reply: (req: Recorded, index: number) => Reply | Promise<Reply>) {
  const requests: Recorded[] = [];
  // `void`: a failure here rejects unhandled, which fails the test run loudly.
  const server = createServer((req, res) => void answer(req, res));
  async function answer(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const recorded = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    requests.push(recorded);
    const r = await reply(recorded, requests.length - 1);
    const text = typeof r.body === 'string' ? r.body : JSON.stringify(r.body ?? {});
    res.writeHead(r.status, {
      'content-type': typeof r.body === 'string' ? 'text/html' : 'application/json',
      ...r.headers,
    });
    res.end(text);
  }
  const url = await listen(server);
  return { url, requests, close: () => closeServer(server) };
}

/** A real HTTP proxy (the `proxy` package, like a school's Squid) on 127.0.0.1, counting what it carried. */
export async function startProxy(authenticate?: (req: IncomingMessage) => boolean) {
  const server = createProxy(createServer());
  if (authenticate) server.authenticate = authenticate;
  const carried: string[] = [];
  server.on('request', (req: IncomingMessage) => carried.push(`${req.method} ${req.url}`));
  server.on('connect', (req: IncomingMessage) => carried.push(`CONNECT ${req.url}`));
  const url = await listen(server);
  return { url, carried, close: () => closeServer(server) };
}

export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

// openssl makes the test certificate (Node cannot sign X.509); it ships with Debian's base image.
export const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A self-signed certificate for 127.0.0.1 written into `dir`, as a bureau's own CA would sign one. */
export function loopbackCertificate(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyFile), cert: readFileSync(certFile), certFile };
}
