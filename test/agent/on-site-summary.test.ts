import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEdid } from '../../agent/demo/edid-builder.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { agentEnv, exited, runAgent, spawnAgent } from './agent-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from './report-fixture.ts';
import { reports } from '../../server/db/schema.ts';

/*
 * What the IT teacher reads at the PC (issue 18, item 9): `once` and `status` from the real agent process against
 * a real server on 127.0.0.1, with three displays the agent finds in a DRM tree the test builds.
 */
const SCHOOL = '6229210001';
let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let configPath: string;
let env: NodeJS.ProcessEnv;

async function plug(connector: string, edid: Uint8Array) {
  const drm = join(dir, 'drm');
  await mkdir(join(drm, connector), { recursive: true });
  await writeFile(join(drm, connector, 'status'), 'connected\n');
  await writeFile(join(drm, connector, 'edid'), edid);
}

beforeEach(async () => {
  server = await startTestServer();
  ({ dir, cleanup } = await tempDir());
  configPath = join(dir, 'config.json');
  env = agentEnv({ SANTONG_AGENT_DRM_ROOT: join(dir, 'drm') });
  await plug(
    'card0-DP-1',
    buildEdid({ vendorId: 'DEL', productCode: 0xa0c4, name: 'DELL P2419H', widthCm: 53, heightCm: 30 }),
  );
  await plug('card0-HDMI-A-1', buildEdid({ vendorId: 'SEC', productCode: 0x0731, name: 'EPSON PJ' }));
  await plug(
    'card0-HDMI-A-2',
    buildEdid({ vendorId: 'SAM', productCode: 0x1234, name: 'SAMSUNG', widthCm: 164, heightCm: 92 }),
  );
});
afterEach(async () => {
  await server.close();
  await cleanup();
});

const classroom = () =>
  server.db.$client.prepare('select code, name from classrooms where school_code = ? order by code').get(SCHOOL) as {
    code: string;
    name: string;
  };

async function enroll(target = `${server.url}/healthz`) {
  const run = await runAgent(
    ['enroll', '--server', server.url, '--token', await server.enrollmentToken(SCHOOL), '--target', target].concat([
      '--classroom',
      classroom().code,
      '--config',
      configPath,
    ]),
    { env },
  );
  expect(run.code, run.stderr).toBe(0);
  expect(run.stdout).toContain(`已注册：设备 `); // enroll speaks Chinese by default too
}

/** The stored report's collection time, in the form the agent prints it: Beijing time is UTC+8. */
function storedCollectedAt(): string {
  const row = server.db.$client.prepare('select collected_at as at from reports').get() as { at: string | number };
  const at = typeof row.at === 'number' ? row.at : Date.parse(row.at);
  return new Date(at + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
}

describe('what the agent tells the IT teacher', () => {
  it('once says, in Chinese by default, that the internet was reached, which displays of which kinds, and the ack', async () => {
    await enroll();
    const once = await runAgent(['once', '--config', configPath], { env });
    expect(once.code, once.stderr).toBe(0);
    const [id] = server.db
      .select({ id: reports.id })
      .from(reports)
      .all()
      .map((r) => r.id);
    expect(once.stdout).toContain(id);
    expect(once.stdout).toMatch(/互联网\s+可以访问，延迟 [\d.]+ 毫秒/);
    expect(once.stdout).toMatch(/显示器 · DEL DELL P2419H · 53 × 30 厘米（24 英寸）/);
    expect(once.stdout).toMatch(/投影机 · .*无固定尺寸/);
    expect(once.stdout).toMatch(/大屏显示器 · .*164 × 92 厘米（74 英寸）/);
    expect(once.stdout).toContain(`${classroom().name} (${classroom().code}) · 测试第一小学 (${SCHOOL})`);
    expect(once.stdout).toContain(`${storedCollectedAt()} (北京时间)`);
    expect(once.stdout).toContain('本次未测速（加 --speed-test 立即测速');
    expect(once.stdout).toMatch(/上报\s+服务器已确认收到（新收 1 份）/);

    const status = (await runAgent(['status', '--config', configPath], { env })).stdout;
    expect(status).toMatch(/上次尝试\s+\d{4}-\d\d-\d\d \d\d:\d\d \(北京时间\)（成功）/);
    expect(status).toMatch(new RegExp(`最近一份报告\\s+${id}`));
    expect(status).toMatch(/互联网\s+可以访问/);
    expect(status).toMatch(/投影机 · .*无固定尺寸/);
    expect(status).toMatch(/待发队列\s+0 份报告/);
  }, 60_000);

  it('speaks English with --lang en, with SANTONG_LANG=en, or with an English system locale', async () => {
    await enroll();
    const english = [
      await runAgent(['once', '--lang', 'en', '--config', configPath], { env }),
      await runAgent(['once', '--config', configPath], { env: { ...env, SANTONG_LANG: 'en' } }),
      await runAgent(['once', '--config', configPath], { env: { ...env, LANG: 'en_US.UTF-8' } }),
    ];
    for (const once of english) {
      expect(once.code, once.stderr).toBe(0);
      expect(once.stdout).toMatch(/internet\s+reachable, [\d.]+ ms/);
      expect(once.stdout).toMatch(/monitor · DEL DELL P2419H · 53 × 30 cm \(24″\)/);
      expect(once.stdout).toMatch(/projector · .*no fixed size/);
      expect(once.stdout).toMatch(/large display · .*164 × 92 cm/);
      expect(once.stdout).toMatch(/\d{4}-\d\d-\d\d \d\d:\d\d \(Beijing time\)/);
      expect(once.stdout).toMatch(/delivery\s+acknowledged by the server \(1 accepted\)/);
      expect(once.stdout).not.toMatch(/[投影机互联网]/);
    }
    const zh = await runAgent(['once', '--lang', 'zh-CN', '--config', configPath], {
      env: { ...env, SANTONG_LANG: 'en' },
    });
    expect(zh.stdout).toContain('投影机');
  }, 90_000);

  it('once --json is machine-readable, and --speed-test measures down and up against the server', async () => {
    await enroll();
    const once = await runAgent(['once', '--json', '--speed-test', '--config', configPath], { env });
    expect(once.code, once.stderr).toBe(0);
    const result = JSON.parse(once.stdout) as {
      report: { internet: { reachable: boolean }; speedTest: { downMbps: number; upMbps: number } };
      delivery: { state: string };
    };
    expect(result.report.internet.reachable).toBe(true);
    expect(result.report.speedTest.downMbps).toBeGreaterThan(0);
    expect(result.report.speedTest.upMbps).toBeGreaterThan(0);
    expect(result.delivery).toEqual({ state: 'acknowledged', accepted: 1, duplicates: 0 });
    const stored = server.db.$client.prepare('select down_mbps as down from reports').get() as { down: number };
    expect(stored.down).toBeGreaterThan(0);
  }, 60_000);

  it('once says the internet was not reached, and that the report is queued and why, when the server is down', async () => {
    await enroll('127.0.0.1:1'); // nothing listens on port 1
    await server.stop();
    const once = await runAgent(['once', '--retries', '0', '--config', configPath], { env });
    expect(once.code).toBe(1);
    expect(once.stdout).toMatch(/互联网\s+无法访问/);
    expect(once.stdout).toContain('投影机');
    expect(once.stderr).toMatch(/未送达，已存入待发队列（共 1 份），稍后自动重发。原因：cannot reach/);
    await server.restart();
  }, 60_000);

  it('status: nextReportAt is null before the service ran and a time after; the latest report is shown', async () => {
    await enroll();
    const before = await runAgent(['status', '--json', '--config', configPath], { env });
    expect(JSON.parse(before.stdout)).toMatchObject({ nextReportAt: null, latestReport: null, queued: 0 });
    expect((await runAgent(['status', '--config', configPath], { env })).stdout).toMatch(/下次上报\s+下次启动时/);

    const run = spawnAgent(['run', '--config', configPath], { env });
    await waitFor(
      () => (server.db.$client.prepare('select count(*) as n from reports').get() as { n: number }).n === 1,
      'the first report from run',
      30_000,
    );
    run.kill('SIGTERM');
    await exited(run);

    const after = JSON.parse((await runAgent(['status', '--json', '--config', configPath], { env })).stdout) as {
      nextReportAt: string;
      latestReport: { internet: { reachable: boolean }; displays: { kind: string }[] };
    };
    expect(after.nextReportAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(after.nextReportAt)).toBeGreaterThan(Date.now());
    expect(after.latestReport.internet.reachable).toBe(true);
    expect(after.latestReport.displays.map((d) => d.kind).sort()).toEqual(['large-display', 'monitor', 'projector']);

    const text = (await runAgent(['status', '--lang', 'en', '--config', configPath], { env })).stdout;
    const next = new Date(Date.parse(after.nextReportAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace('T', ' ');
    expect(text).toMatch(new RegExp(`next report\\s+${next} \\(Beijing time\\)`));
    expect(text).toMatch(/internet\s+reachable/);
    expect(text).toMatch(/projector/);
    expect(text).toMatch(/queue\s+0 report\(s\)/);
  }, 60_000);

  it('a --server without a scheme is refused with the fix, not blamed on a proxy', async () => {
    const bare = server.url.replace(/^http:\/\//, '');
    const token = await server.enrollmentToken(SCHOOL);
    const zh = await runAgent(['enroll', '--server', bare, '--token', token, '--config', configPath], { env });
    expect(zh.code).toBe(2);
    expect(zh.stderr).toContain(`--server ${bare} 缺少协议（http:// 或 https://）`);
    expect(zh.stderr).toContain(`--server http://${bare}`);
    const en = await runAgent(['enroll', '--lang', 'en', '--server', bare, '--token', token, '--config', configPath], {
      env,
    });
    expect(en.code).toBe(2);
    expect(en.stderr).toContain(`--server ${bare} has no scheme`);
    expect(zh.stderr + en.stderr).not.toMatch(/proxy|代理/i);
  }, 30_000);

  it('the help speaks Chinese by default and English with --lang en', async () => {
    const zh = await runAgent(['--help'], { env });
    expect(zh.stdout).toContain('采集一份报告、存入待发队列并上报');
    const en = await runAgent(['--help', '--lang', 'en'], { env });
    expect(en.stdout).toContain('collect one report, queue it, deliver');
    const unknown = await runAgent(['fly'], { env });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('未知命令 "fly"');
  }, 30_000);
});
