import { readFile } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeReleaseKey, trustReleaseKey, type TestReleaseKey } from '../helpers/release-keys.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { enrollArgs, runAgent } from './agent-process.ts';
import { closeServer, listen, startScriptedServer } from './http-fixture.ts';
import { tempDir } from './report-fixture.ts';

/*
 * Enrollment hands a PC its device key and the release keys it will trust for good (issue 11): over
 * plain HTTP, whoever sits on the network could read the one and swap the other. The agent refuses it
 * unless the server is on this PC or the person says --insecure-http, and shows the IT teacher the
 * fingerprint of what it pinned.
 */
let server: TestServer;
let key: TestReleaseKey;
let dir: string;
let cleanup: () => Promise<void>;
let configPath: string;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  server = await startTestServer();
  key = makeReleaseKey();
  await trustReleaseKey(server.store, key);
  ({ dir, cleanup } = await tempDir());
  configPath = join(dir, 'config.json');
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await server.close();
  await cleanup();
});

/**
 * A proxy that carries every request to the test server whatever host it names, so a test can enroll
 * with `http://santong.example.edu.cn` (not loopback) without any name resolving. Counts what it carried.
 */
async function proxyToTestServer() {
  const target = new URL(server.url);
  const carried: string[] = [];
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    carried.push(`${req.method} ${req.url}`);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const forward = request(
      { host: target.hostname, port: target.port, path, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(forward);
  });
  proxy.on('connect', (req: IncomingMessage, socket) => {
    carried.push(`CONNECT ${req.url}`);
    const upstream = connect(Number(target.port), target.hostname, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  const url = await listen(proxy);
  closers.push(() => closeServer(proxy));
  return { url, carried };
}

const enroll = async (serverUrl: string, extra: string[] = []) =>
  runAgent([...(await enrollArgs(server, configPath, serverUrl)), ...extra]);

describe('enrollment over plain HTTP', () => {
  it('is refused to a server that is not on this PC, before anything is sent', async () => {
    const proxy = await proxyToTestServer();
    for (const address of ['http://santong.example.edu.cn', 'http://10.62.29.1:8080']) {
      const refused = await enroll(address, ['--proxy', proxy.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(`拒绝通过明文 HTTP 注册（${address}）`);
      expect(refused.stderr).toContain('--insecure-http');
    }
    expect(proxy.carried).toEqual([]);
    await expect(readFile(configPath)).rejects.toThrow(/ENOENT/);
  }, 60_000);

  it('goes ahead with --insecure-http, and prints the fingerprint of the release key it pinned', async () => {
    const proxy = await proxyToTestServer();
    const enrolled = await enroll('http://santong.example.edu.cn', ['--proxy', proxy.url, '--insecure-http']);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(proxy.carried.length).toBeGreaterThan(0);
    expect(enrolled.stdout).toContain(`已固定发布密钥：${key.fingerprint}`);
    expect(enrolled.stdout).toContain('请与县教育局提供的指纹核对');
    expect(JSON.parse(await readFile(configPath, 'utf8'))).toMatchObject({
      serverUrl: 'http://santong.example.edu.cn',
      releaseKeys: [key.publicKey],
    });
  }, 60_000);

  it('needs no flag for a server on this PC (127.0.0.1, localhost)', async () => {
    const enrolled = await enroll(server.url.replace('127.0.0.1', 'localhost'));
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stdout).toContain(`已固定发布密钥：${key.fingerprint}`);
  }, 60_000);
});

describe('the fingerprint shown', () => {
  it('is computed from the key pinned, never copied from what the server claims', async () => {
    const scripted = await startScriptedServer(() => ({
      status: 201,
      body: {
        deviceId: 'd1',
        deviceKey: 'std_x',
        reused: false,
        school: { code: '6229210001', name: '测试第一小学' },
        classroom: null,
        releaseKeys: [{ publicKey: key.publicKey, fingerprint: '0000 0000 0000 0000 0000' }],
        releaseSigningKey: key.publicKey,
      },
    }));
    closers.push(scripted.close);
    const enrolled = await runAgent(['enroll', '--server', scripted.url, '--token', 't', '--config', configPath]);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stdout).toContain(`已固定发布密钥：${key.fingerprint}`);
    expect(enrolled.stdout).not.toContain('0000 0000');
  }, 60_000);
});
