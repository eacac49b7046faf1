import { readFile, writeFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../agent/outbox.ts';
import { AGENT_NODE_FLAGS } from '../../agent/service.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { agentEnv, exited, runAgent, spawnAgent } from './agent-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { startProxy } from './http-fixture.ts';
import { makeReport, tempDir } from './report-fixture.ts';
import { reports } from '../../server/db/schema.ts';

const SCHOOL = '6229210001';
let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let configPath: string;
const closers: Array<() => Promise<void>> = [];

beforeEach(async () => {
  server = await startTestServer();
  ({ dir, cleanup } = await tempDir());
  configPath = join(dir, 'config.json');
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  await server.close();
  await cleanup();
});

function reportIds(): string[] {
  return server.db
    .select({ id: reports.id })
    .from(reports)
    .orderBy(reports.id)
    .all()
    .map((r) => r.id);
}

/** Enrolls through the CLI; the internet target is the test server itself (never an outside address). */
async function enroll(extra: string[] = [], serverUrl = server.url) {
  const run = await runAgent([
    'enroll',
    '--server',
    serverUrl,
    '--token',
    await server.enrollmentToken(SCHOOL),
    '--target',
    `${server.url}/healthz`,
    '--config',
    configPath,
    ...extra,
  ]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return run;
}

describe('agent against the real server', () => {
  it('enroll → once → the report is stored, and status shows it delivered', async () => {
    const enrolled = await enroll();
    expect(enrolled.stdout).toContain('测试第一小学');
    const config = JSON.parse(await readFile(configPath, 'utf8')) as { deviceKey: string; releaseKeys: string[] };
    expect(config.deviceKey).toMatch(/^std_/);
    // This server trusts no release key yet, and the agent says what that means (test/agent/enroll-transport.test.ts pins one).
    expect(config.releaseKeys).toEqual([]);
    expect(enrolled.stdout).toContain('服务器尚未配置发布密钥：在县教育局添加密钥并重新注册之前，这台电脑不会自动更新');
    expect((await import('node:fs')).statSync(configPath).mode & 0o777).toBe(0o600);

    const once = await runAgent(['once', '--config', configPath]);
    expect(once.code, once.stderr).toBe(0);
    const [id] = reportIds();
    expect(once.stdout).toContain(id);
    const body = JSON.parse(
      (server.db.$client.prepare('select report_json(body) as body from reports').get() as { body: string }).body,
    ) as {
      network: { internet: { reachable: boolean } };
    };
    expect(body.network.internet.reachable).toBe(true);

    const status = await runAgent(['status', '--json', '--config', configPath]);
    expect(JSON.parse(status.stdout)).toMatchObject({ queued: 0, lastResult: 'done', school: { code: SCHOOL } });
    expect(status.stdout).not.toContain(config.deviceKey);
  }, 60_000);

  it('server down: three cycles queue three reports; server back: all delivered, each counted once', async () => {
    await enroll();
    await server.stop();
    for (let i = 0; i < 3; i++) {
      const once = await runAgent(['once', '--retries', '0', '--config', configPath]);
      expect(once.code).toBe(1);
      expect(once.stderr).toContain('未送达，已存入待发队列');
    }
    const queued = (await (await Outbox.open(join(dir, 'state'))).nextBatch(500, 1e7)).map((q) => q.report.id);
    expect(queued).toHaveLength(3);
    await server.restart();
    const once = await runAgent(['once', '--config', configPath]);
    expect(once.code, once.stderr).toBe(0);
    const stored = reportIds();
    expect(stored).toHaveLength(4);
    expect(stored).toEqual(expect.arrayContaining(queued));
    expect(await (await Outbox.open(join(dir, 'state'))).list()).toEqual([]);
  }, 60_000);

  it('SIGKILL after the server stored a batch but before the agent heard: restart delivers the rest, nothing twice', async () => {
    // A relay on 127.0.0.1 that forwards to the real server and, for the second batch, holds the
    // (already committed) answer back until the agent is killed: the worst moment for a crash.
    const { createServer } = await import('node:http');
    let posts = 0;
    let holding = false;
    const relay = createServer((req, res) => void relayed(req, res));
    async function relayed(req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const upstream = await fetch(new URL(req.url ?? '/', server.url), {
        method: req.method ?? 'GET',
        headers: { 'content-type': 'application/json', authorization: req.headers.authorization ?? '' },
        ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}),
      });
      const text = await upstream.text();
      if (req.url === '/api/v1/reports' && ++posts === 2) {
        holding = true; // committed on the server; the agent never gets the 200
        return;
      }
      res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
    }
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    closers.push(
      () =>
        new Promise((r) => {
          relay.closeAllConnections();
          relay.close(() => r());
        }),
    );
    const relayUrl = `http://127.0.0.1:${(relay.address() as { port: number }).port}`;
    await enroll([], relayUrl);

    const outbox = await Outbox.open(join(dir, 'state'));
    const preloaded = Array.from({ length: 1100 }, () => makeReport());
    for (const r of preloaded) await outbox.add(r);

    const child = spawnAgent(['once', '--config', configPath]);
    await waitFor(() => holding, 'the second batch to be stored and held');
    child.kill('SIGKILL');
    await exited(child);
    expect(child.signalCode).toBe('SIGKILL');
    expect(reportIds()).toHaveLength(1000);

    const again = await runAgent(['once', '--config', configPath]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/500 份此前已收到/);
    const stored = reportIds();
    expect(stored).toEqual(expect.arrayContaining(preloaded.map((r) => r.id)));
    expect(stored).toHaveLength(1100 + 2); // the preloaded ones plus one report per `once`
    expect(new Set(stored).size).toBe(stored.length);
  }, 90_000);

  it('outbox overflow drops the oldest and the server learns how many were dropped', async () => {
    await enroll();
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...config, outbox: { maxCount: 2, maxBytes: 1024 * 1024 } }), {
      mode: 0o600,
    });
    await server.stop();
    for (let i = 0; i < 4; i++)
      expect((await runAgent(['once', '--retries', '0', '--config', configPath])).code).toBe(1);
    await server.restart();
    const once = await runAgent(['once', '--config', configPath]);
    expect(once.code, once.stderr).toBe(0);
    expect(reportIds()).toHaveLength(2); // five collected, room for two
    const carried = server.db.$client
      .prepare("select sum(json_extract(report_json(body), '$.droppedSinceLastDelivery')) as n from reports")
      .get() as { n: number };
    const status = JSON.parse((await runAgent(['status', '--json', '--config', configPath])).stdout) as {
      droppedNotYetReported: number;
    };
    expect(carried.n + status.droppedNotYetReported).toBe(3);
    expect(carried.n).toBeGreaterThan(0);
  }, 90_000);

  it('a real HTTP proxy on 127.0.0.1 carries enrollment and reports', async () => {
    const proxy = await startProxy();
    closers.push(proxy.close);
    await enroll(['--proxy', proxy.url]);
    const once = await runAgent(['once', '--config', configPath]);
    expect(once.code, once.stderr).toBe(0);
    expect(reportIds()).toHaveLength(1);
    const host = new URL(server.url).host;
    expect(proxy.carried.filter((line) => line.includes(host)).length).toBeGreaterThanOrEqual(2);
  }, 60_000);

  it('HTTP_PROXY from the environment is honoured too', async () => {
    const proxy = await startProxy();
    closers.push(proxy.close);
    await enroll();
    const once = await runAgent(['once', '--config', configPath], { env: agentEnv({ HTTP_PROXY: proxy.url }) });
    expect(once.code, once.stderr).toBe(0);
    expect(proxy.carried.join('\n')).toContain(new URL(server.url).host);
    expect(reportIds()).toHaveLength(1);
  }, 60_000);

  it('the bundled dist/santong-agent.mjs runs `once` against the server with plain node', async () => {
    const build = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'agent/build.ts', '--bundle-only'], {
        cwd: fileURLToPath(new URL('../../', import.meta.url)),
        stdio: 'ignore',
      });
      child.once('close', resolve);
    });
    expect(build).toBe(0);
    const bundle = fileURLToPath(new URL('../../dist/santong-agent.mjs', import.meta.url));
    const enrolled = await runAgent(
      [
        'enroll',
        '--server',
        server.url,
        '--token',
        await server.enrollmentToken(SCHOOL),
        '--target',
        `${server.url}/healthz`,
        '--config',
        configPath,
      ],
      { bundle },
    );
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const once = await runAgent(['once', '--config', configPath], { bundle });
    expect(once.code, once.stderr).toBe(0);
    expect(reportIds()).toHaveLength(1);
    // With the service's node flags (--jitless: no WebAssembly, no optimizing compiler), and without a warning in the log.
    const asService = await runAgent(['once', '--config', configPath], { bundle, nodeFlags: AGENT_NODE_FLAGS });
    expect(asService.code, asService.stderr).toBe(0);
    expect(asService.stderr).not.toMatch(/warning/i);
    expect(reportIds()).toHaveLength(2);
  }, 90_000);

  it('run reports at start and exits cleanly on SIGTERM, keeping its queue', async () => {
    await enroll();
    const child = spawnAgent(['run', '--config', configPath]);
    await waitFor(() => reportIds().length === 1, 'the first report from run', 30_000);
    child.kill('SIGTERM');
    await exited(child);
    expect(child.exitCode, child.output().stderr).toBe(0);
    expect(child.output().stderr).toContain('agent stopped; queue kept');
    const schedule = JSON.parse(await readFile(join(dir, 'state', 'schedule.json'), 'utf8')) as { nextRunAt: number };
    expect(schedule.nextRunAt).toBeGreaterThan(Date.now());
  }, 60_000);
});
