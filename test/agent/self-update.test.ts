import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../agent/build.ts';
import { writeLauncher } from '../../agent/update/launcher.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { EXIT_BUNDLE_REFUSED } from '../../agent/update/launcher.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { bundleVersion } from '../../shared/release-artifacts.ts';
import { makeReleaseKey, trustReleaseKey, type TestReleaseKey } from '../helpers/release-keys.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { agentEnv, enrollArgs, exited, runAgent, spawnAgent } from './agent-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { tempDir } from './report-fixture.ts';

/*
 * Self-update end to end: real bundles built by agent/build.ts, signed offline with a release key the
 * test holds, published on a real server, installed by the real `run` daemon under the real launcher,
 * each start a separate node process as the service manager would make it.
 */
const NEW = '0.2.0';
let built: { dir: string; cleanup: () => Promise<void> };
let oldBundle: Buffer;
let newBundle: Buffer;
let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let bundle: string;
let launcher: string;
let configPath: string;
let key: TestReleaseKey;

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const onDisk = async (path: string) => sha(await readFile(path));

beforeAll(async () => {
  built = await tempDir('santong-bundles-');
  await buildAgentBundle({ outfile: join(built.dir, 'old.mjs') });
  await buildAgentBundle({ outfile: join(built.dir, 'new.mjs'), version: NEW });
  oldBundle = await readFile(join(built.dir, 'old.mjs'));
  newBundle = await readFile(join(built.dir, 'new.mjs'));
}, 60_000);
afterAll(() => built.cleanup());

beforeEach(async () => {
  server = await startTestServer();
  key = makeReleaseKey();
  await trustReleaseKey(server.store, key);
  ({ dir, cleanup } = await tempDir());
  const opt = join(dir, 'santong-agent'); // a directory of its own, as /opt/santong-agent on a school PC
  await mkdir(opt);
  bundle = join(opt, 'santong-agent.mjs');
  await copyFile(join(built.dir, 'old.mjs'), bundle);
  await writeFile(`${bundle}.sig`, JSON.stringify(key.sign(oldBundle))); // as `santong release sign` wrote it, shipped with the bundle
  launcher = await writeLauncher(opt);
  configPath = join(dir, 'config.json');
  const enrolled = await runAgent(await enrollArgs(server, configPath), { bundle });
  expect(enrolled.code, enrolled.stderr).toBe(0);
  expect(enrolled.stdout).toContain(`已固定发布密钥：${key.fingerprint}`);
  const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
  await writeFile(configPath, JSON.stringify({ ...config, throughput: { enabled: false } }), { mode: 0o600 });
  await dueForCheck();
});
afterEach(async () => {
  await server.close();
  await cleanup();
});

/** The daily check is overdue (the PC was off at its time), so the daemon's first tick makes it. */
async function dueForCheck() {
  const file = join(dir, 'state', 'update.json');
  const state = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as object) : {};
  await mkdir(join(dir, 'state'), { recursive: true });
  await writeFile(file, JSON.stringify({ ...state, nextCheckAt: 0 }));
}

async function publish(bytes: Buffer, by: TestReleaseKey = key) {
  return await publishAgentRelease(server.store, bytes, by.sign(bytes), Date.now(), {
    actor: 'cli:test',
    reason: 'release under test',
  });
}

/** A script that leaves a mark when it runs: what someone who can write the install folder would plant. */
function planted(version: string, marker: string): string {
  return `#!/usr/bin/env node\n// santong-agent ${version}\nimport { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\n`;
}

/** One start of the service: `node launcher bundle run`, as the systemd unit runs it. */
function startService(deadlineSeconds = 120) {
  return spawnAgent([bundle, 'run', '--config', configPath], {
    bundle: launcher,
    env: agentEnv({ SANTONG_AGENT_START_DEADLINE_SECONDS: String(deadlineSeconds) }),
  });
}

type StoredReport = { agentVersion: string; update?: { refusedVersion: string; reason: string } };
function storedReports(): StoredReport[] {
  return (
    server.db.$client.prepare('select report_json(body) as body from reports order by received_at').all() as {
      body: string;
    }[]
  ).map((r) => JSON.parse(r.body) as StoredReport);
}

describe('agent self-update', () => {
  it('installs a correctly signed newer bundle, restarts into it and reports the new version', async () => {
    expect(bundleVersion(newBundle)).toBe(NEW); // what `santong release sign` reads from the banner
    await publish(newBundle);

    const first = startService();
    await exited(first);
    expect(first.exitCode, first.output().stderr).toBe(75);
    expect(await onDisk(bundle)).toBe(sha(newBundle));
    expect(await onDisk(`${bundle}.previous`)).toBe(sha(oldBundle));
    expect(existsSync(`${bundle}.trial.json`)).toBe(true);
    // The signatures of both files, so the launcher can check whichever is in place.
    expect((JSON.parse(await readFile(`${bundle}.sig`, 'utf8')) as { sha256: string }[]).map((r) => r.sha256)).toEqual([
      sha(newBundle),
      sha(oldBundle),
    ]);

    const second = startService();
    await waitFor(() => storedReports().some((r) => r.agentVersion === NEW), 'a report from the new version');
    await waitFor(() => !existsSync(`${bundle}.trial.json`), 'the new version to confirm its start');
    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode, second.output().stderr).toBe(0);
    expect(storedReports().map((r) => r.agentVersion)).toEqual([NEW]); // the old one restarted before reporting
    expect(await onDisk(bundle)).toBe(sha(newBundle)); // confirmed: the launcher did not roll back
  }, 60_000);

  it('refuses a bundle changed after it was signed, reports why and keeps running the old version', async () => {
    await publish(newBundle);
    const tampered = Buffer.from(newBundle.toString('utf8').replace('santong-agent/', 'santong-agenT/'));
    server.db.$client.prepare('update agent_releases set bundle = ? where version = ?').run(tampered, NEW);

    const service = startService();
    const refused = await waitFor(() => storedReports().find((r) => r.update), 'a report carrying the refusal');
    expect(refused).toMatchObject({ agentVersion: AGENT_VERSION, update: { refusedVersion: NEW } });
    expect(refused.update!.reason).toMatch(/sha256 mismatch/);
    expect(service.exitCode).toBeNull(); // still running the old version
    expect(await onDisk(bundle)).toBe(sha(oldBundle));
    expect(existsSync(`${bundle}.previous`)).toBe(false);
    service.kill('SIGTERM');
    await exited(service);
    expect(service.exitCode).toBe(0);
  }, 60_000);

  it.each([
    [
      'throws as it loads',
      'throw new Error("this release is broken");',
      /rolled back: failed to load: this release is broken/,
      120,
    ],
    ['hangs without confirming', 'setInterval(() => {}, 60_000);', /rolled back: no good start within 2 s/, 2],
  ])(
    'puts the previous bundle back when the new one %s, and does not install it again',
    async (_, body, reason, deadline) => {
      const broken = Buffer.from(
        `#!/usr/bin/env node\n// santong-agent 0.3.0\nif (process.argv.includes('--version')) { console.log('0.3.0'); process.exit(0); }\n${body}\n`,
      );
      await publish(broken);

      const installing = startService(deadline);
      await exited(installing);
      expect(installing.exitCode, installing.output().stderr).toBe(75);
      expect(await onDisk(bundle)).toBe(sha(broken));

      const trying = startService(deadline);
      await exited(trying);
      expect(trying.exitCode, trying.output().stderr).toBe(75);
      expect(trying.output().stderr).toContain('update to 0.3.0 undone');
      expect(await onDisk(bundle)).toBe(sha(oldBundle));

      await dueForCheck(); // the next daily check sees 0.3.0 again and must skip it
      const back = startService(deadline);
      const report = await waitFor(() => storedReports().find((r) => r.update), 'a report carrying the rollback');
      expect(report).toMatchObject({ agentVersion: AGENT_VERSION, update: { refusedVersion: '0.3.0' } });
      expect(report.update!.reason).toMatch(reason);
      expect(await onDisk(bundle)).toBe(sha(oldBundle));
      back.kill('SIGTERM');
      await exited(back);
      expect(back.exitCode, back.output().stderr).toBe(0);
    },
    60_000,
  );

  it('follows a key rotation end to end: a release signed by a key the pinned one vouched for installs, and the launcher runs it', async () => {
    const successor = makeReleaseKey();
    await trustReleaseKey(server.store, successor, key.vouchFor(successor));
    await publish(newBundle, successor);

    const first = startService();
    await exited(first);
    expect(first.exitCode, first.output().stderr).toBe(75);
    expect(await onDisk(bundle)).toBe(sha(newBundle));
    const second = startService();
    await waitFor(() => storedReports().some((r) => r.agentVersion === NEW), 'a report from the new version');
    second.kill('SIGTERM');
    await exited(second);
    expect(second.output().stderr).not.toContain('refusing');
  }, 60_000);
});

describe('the launcher runs only what a trusted key signed (issue 11)', () => {
  it('refuses a planted .previous with a planted trial marker, removes the marker and runs the signed bundle', async () => {
    const marker = join(dir, 'planted-ran');
    await writeFile(`${bundle}.previous`, planted('0.0.1', marker));
    await writeFile(
      `${bundle}.trial.json`,
      JSON.stringify({
        version: AGENT_VERSION,
        previousVersion: '0.0.1',
        installedAt: new Date().toISOString(),
        starts: 2,
      }),
    );

    const service = startService();
    await waitFor(() => storedReports().length > 0, 'a report from the signed bundle');
    service.kill('SIGTERM');
    await exited(service);
    expect(service.output().stderr).toMatch(
      /error launcher: refusing .*santong-agent\.mjs\.previous: no signature by a release key this PC trusts covers it .*; trial marker ignored and removed/,
    );
    expect(existsSync(marker), 'the planted file ran').toBe(false);
    expect(existsSync(`${bundle}.trial.json`)).toBe(false);
    expect(await onDisk(bundle)).toBe(sha(oldBundle));
    expect(storedReports().map((r) => r.agentVersion)).toEqual([AGENT_VERSION]);
  }, 60_000);

  it('refuses to run a bundle replaced by an unsigned one, or by one signed with a key this PC does not trust', async () => {
    const marker = join(dir, 'planted-ran');
    const replacement = Buffer.from(planted('9.9.9', marker));
    await writeFile(bundle, replacement);
    const unsigned = startService();
    await exited(unsigned);
    expect(unsigned.exitCode).toBe(EXIT_BUNDLE_REFUSED);
    expect(unsigned.output().stderr).toMatch(
      /error launcher: refusing to run .*santong-agent\.mjs: no signature by a release key this PC trusts covers it \(sha256 [0-9a-f]{64}, names version 9\.9\.9\); nothing started/,
    );

    await writeFile(`${bundle}.sig`, JSON.stringify(makeReleaseKey().sign(replacement)));
    const stranger = startService();
    await exited(stranger);
    expect(stranger.exitCode).toBe(EXIT_BUNDLE_REFUSED);
    expect(existsSync(marker), 'the planted bundle ran').toBe(false);
    expect(storedReports()).toEqual([]);
  }, 60_000);

  it('install-service turns self-update on only for a bundle whose signature verifies with the pinned key', async () => {
    // The plan only: this test's settings file is under /tmp, which the unit's sandbox hides (exit 2 says so).
    const signed = await runAgent(['install-service', '--dry-run', '--config', configPath], { bundle });
    expect(signed.code, signed.stderr).toBe(2);
    expect(signed.stderr).toContain(`设置文件 ${configPath} 在 /tmp 下`);
    expect(signed.stdout).toContain(`install -m 0644 ${bundle}.sig /opt/santong-agent/santong-agent.mjs.sig`);
    expect(signed.stdout).toContain(
      '/opt/santong-agent/santong-agent-launcher.mjs /opt/santong-agent/santong-agent.mjs run --config',
    );
    expect(signed.stdout).toMatch(/^RestartPreventExitStatus=78$/m);

    await writeFile(`${bundle}.sig`, JSON.stringify(makeReleaseKey().sign(oldBundle)));
    const unsigned = await runAgent(['install-service', '--dry-run', '--config', configPath], { bundle });
    expect(unsigned.code, unsigned.stderr).toBe(2);
    expect(unsigned.stderr).toContain('self-update stays off');
    expect(unsigned.stdout).not.toContain('santong-agent-launcher.mjs');
    expect(unsigned.stdout).toContain('--jitless /opt/santong-agent/santong-agent.mjs run --config');
  }, 60_000);
});
