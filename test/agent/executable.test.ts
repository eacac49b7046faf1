import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../agent/build.ts';
import { buildExecutable, SEA_FUSE } from '../../agent/package/executable.ts';
import { nodeRuntime } from '../../agent/package/node-runtime.ts';
import { EXECUTABLE_NODE_OPTIONS } from '../../agent/service.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { artifactVersion } from '../../shared/release-artifacts.ts';
import { makeReleaseKey, trustReleaseKey, type TestReleaseKey } from '../helpers/release-keys.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { agentEnv, enrollArgs, exited, runAgent, spawnAgent } from './agent-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { elfMachine, elfNotes, peMachine, peResource, SEA_RESOURCE } from './executable-format.ts';
import { tempDir } from './report-fixture.ts';
import { ensureWine, freshPrefix, runInWine, WINESERVER, wineEnv } from './wine-install.ts';

/*
 * The standalone executables of issue 16 (docs/decisions/170-agent-executables.md), built as `npm run build:agent`
 * builds them, from Node's own binaries (fetched once into the cache, checked by SHA-256). The linux-x64 one runs
 * here for real, with no node on PATH, against a real server; the arm64 and Windows ones are read as artifacts.
 */
const NEW = '0.2.0';
let built: { dir: string; cleanup: () => Promise<void> };
let bundle: Buffer;
let newBundle: Buffer;
let linuxX64: string;

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  built = await tempDir('santong-executables-');
  await buildAgentBundle({ outfile: join(built.dir, 'santong-agent.mjs') });
  await buildAgentBundle({ outfile: join(built.dir, 'new.mjs'), version: NEW });
  bundle = await readFile(join(built.dir, 'santong-agent.mjs'));
  newBundle = await readFile(join(built.dir, 'new.mjs'));
  linuxX64 = join(built.dir, 'santong-agent-linux-x64');
  buildExecutable({
    target: 'linux-x64',
    bundle: join(built.dir, 'santong-agent.mjs'),
    outfile: linuxX64,
    version: AGENT_VERSION,
  });
}, 600_000); // the first run fetches Node's binaries (about 115 MB); later runs find them in the cache
afterAll(() => built.cleanup());

describe('the linux-x64 executable on a PC without node', () => {
  let server: TestServer;
  let dir: string;
  let cleanup: () => Promise<void>;
  let executable: string;
  let configPath: string;
  let env: NodeJS.ProcessEnv;
  let key: TestReleaseKey;

  beforeEach(async () => {
    server = await startTestServer();
    key = makeReleaseKey();
    await trustReleaseKey(server.store, key);
    ({ dir, cleanup } = await tempDir());
    await mkdir(join(dir, 'opt'));
    executable = join(dir, 'opt', 'santong-agent'); // as install-service and the .deb name it
    await copyFile(linuxX64, executable);
    configPath = join(dir, 'config.json');
    env = agentEnv({ PATH: await pathWithoutNode(join(dir, 'bin')) });
  });
  afterEach(async () => {
    await server.close();
    await cleanup();
  });

  /** A PATH with every program of this machine but node, as on a school PC that never had it. */
  async function pathWithoutNode(bin: string): Promise<string> {
    await mkdir(bin);
    for (const from of ['/usr/sbin', '/usr/bin']) {
      for (const name of await readdir(from)) {
        if (/^(node|nodejs|npm|npx|corepack)$/.test(name) || existsSync(join(bin, name))) continue;
        await symlink(join(from, name), join(bin, name));
      }
    }
    const search = spawnSync('/usr/bin/sh', ['-c', 'command -v node'], { env: { PATH: bin } });
    expect(search.status, 'node is still on PATH').not.toBe(0);
    return bin;
  }

  const run = (args: string[], extra: Record<string, string> = {}) =>
    runAgent(args, { executable, env: { ...env, ...extra } });
  const storedVersions = () =>
    (
      server.db.$client.prepare('select report_json(body) as body from reports order by received_at').all() as {
        body: string;
      }[]
    ).map((r) => (JSON.parse(r.body) as { agentVersion: string }).agentVersion);

  async function enroll() {
    const enrolled = await run(await enrollArgs(server, configPath));
    expect(enrolled.code, enrolled.stderr).toBe(0);
    expect(enrolled.stdout).toContain(`已固定发布密钥：${key.fingerprint}`);
    const config = JSON.parse(await readFile(configPath, 'utf8')) as Record<string, unknown>;
    await writeFile(configPath, JSON.stringify({ ...config, throughput: { enabled: false } }), { mode: 0o600 });
  }

  it('enrolls, reports once and runs its daemon, from the bundle it carries', async () => {
    await enroll();
    // The launcher wrote the embedded bundle beside the executable: the file self-update will swap.
    expect(sha(await readFile(join(dir, 'opt', 'agent', 'santong-agent.mjs')))).toBe(sha(bundle));

    const once = await run(['once', '--config', configPath, '--lang', 'en']);
    expect(once.code, once.stderr).toBe(0);
    expect(once.stdout).toMatch(/acknowledged/i);
    expect(storedVersions()).toEqual([AGENT_VERSION]);

    // The daemon as the systemd unit starts it: the executable, its NODE_OPTIONS, `run`.
    const daemon = spawnAgent(['run', '--config', configPath], {
      executable,
      env: { ...env, NODE_OPTIONS: EXECUTABLE_NODE_OPTIONS },
    });
    await waitFor(() => storedVersions().length === 2, 'a report from the daemon');
    daemon.kill('SIGTERM');
    await exited(daemon);
    expect(daemon.exitCode, daemon.output().stderr).toBe(0);
    expect(daemon.output().stderr).toContain('agent started');
  }, 60_000);

  it('updates itself to a newer signed release, restarts into it and reports as the new version', async () => {
    await enroll();
    await publishAgentRelease(server.store, newBundle, key.sign(newBundle), Date.now(), {
      actor: 'cli:test',
      reason: 'release under test',
    });
    await mkdir(join(dir, 'state'), { recursive: true });
    await writeFile(join(dir, 'state', 'update.json'), JSON.stringify({ nextCheckAt: 0 })); // the daily check is due
    const service = () =>
      spawnAgent(['run', '--config', configPath], {
        executable,
        env: { ...env, NODE_OPTIONS: EXECUTABLE_NODE_OPTIONS },
      });

    const first = service();
    await exited(first);
    expect(first.exitCode, first.output().stderr).toBe(75); // installed; the service manager starts it again
    const agentDir = join(dir, 'opt', 'agent');
    expect(sha(await readFile(join(agentDir, 'santong-agent.mjs')))).toBe(sha(newBundle));
    expect(sha(await readFile(join(agentDir, 'santong-agent.mjs.previous')))).toBe(sha(bundle));
    expect(sha(await readFile(executable))).toBe(sha(await readFile(linuxX64))); // the executable itself is unchanged

    const second = service();
    await waitFor(() => storedVersions().includes(NEW), 'a report from the new version');
    await waitFor(() => !existsSync(join(agentDir, 'santong-agent.mjs.trial.json')), 'the new version to confirm');
    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode, second.output().stderr).toBe(0);
    expect(storedVersions()).toEqual([NEW]);
    // What the PC runs now, for anyone who asks with its settings (the launcher needs the pinned keys to trust it).
    expect((await run(['--version', '--config', configPath])).stdout.trim()).toBe(NEW);
  }, 90_000);

  it('a newer executable (a package upgrade) replaces an older signed bundle beside it with the one it carries', async () => {
    await enroll();
    const agentDir = join(dir, 'opt', 'agent');
    const older = join(built.dir, 'older.mjs');
    await buildAgentBundle({ outfile: older, version: '0.0.9' });
    const olderBytes = await readFile(older);
    await writeFile(join(agentDir, 'santong-agent.mjs'), olderBytes);
    await writeFile(join(agentDir, 'santong-agent.mjs.sig'), JSON.stringify(key.sign(olderBytes)));
    const upgraded = await run(['--version', '--config', configPath]);
    expect(upgraded.stdout.trim()).toBe(AGENT_VERSION);
    expect(upgraded.stderr).toContain(`this executable brings the agent ${AGENT_VERSION}, newer than 0.0.9`);
    expect(sha(await readFile(join(agentDir, 'santong-agent.mjs')))).toBe(sha(bundle));
  }, 60_000);

  it('refuses a bundle planted beside it that no trusted key signed, and runs the one it carries', async () => {
    await enroll();
    const marker = join(dir, 'planted-ran');
    const planted = `#!/usr/bin/env node\n// santong-agent 9.9.9\nrequire('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`;
    await writeFile(join(dir, 'opt', 'agent', 'santong-agent.mjs'), planted);

    const version = await run(['--version', '--config', configPath]);
    expect(version.stdout.trim()).toBe(AGENT_VERSION);
    expect(version.stderr).toMatch(
      /refusing to run .*santong-agent\.mjs: no signature by a release key this PC trusts/,
    );
    expect(existsSync(marker), 'the planted bundle ran').toBe(false);
    expect(sha(await readFile(join(dir, 'opt', 'agent', 'santong-agent.mjs')))).toBe(sha(bundle));
  }, 60_000);
});

describe('the executables as artifacts', () => {
  let arm64: Buffer;
  let windows: Buffer;
  beforeAll(() => {
    for (const target of ['linux-arm64', 'win-x64'] as const)
      buildExecutable({
        target,
        bundle: join(built.dir, 'santong-agent.mjs'),
        outfile: join(built.dir, target),
        version: AGENT_VERSION,
      });
  }, 600_000);
  beforeAll(async () => {
    arm64 = await readFile(join(built.dir, 'linux-arm64'));
    windows = await readFile(join(built.dir, 'win-x64'));
  });

  const fuse = (file: Buffer) => file.toString('latin1').match(new RegExp(`${SEA_FUSE}:(\\d)`))?.[1];

  it('linux-arm64 is an AArch64 ELF carrying the blob: the fuse flipped, the note holding launcher and bundle', async () => {
    expect(elfMachine(arm64)).toBe(0xb7);
    expect(fuse(arm64)).toBe('1');
    expect(fuse(await readFile(nodeRuntime('linux-arm64')))).toBe('0'); // Node's own binary, before the injection
    const notes = elfNotes(arm64, SEA_RESOURCE);
    expect(notes.length).toBeGreaterThan(0);
    for (const blob of notes) {
      expect(blob.indexOf(bundle)).toBeGreaterThan(0);
      expect(blob.toString('latin1')).toContain(`// santong-agent-executable ${AGENT_VERSION} linux-arm64\n`);
    }
    expect(artifactVersion(arm64)).toEqual({ kind: 'executable', version: AGENT_VERSION, target: 'linux-arm64' });
  });

  it('win-x64 is an x64 PE carrying the blob as its NODE_SEA_BLOB resource', async () => {
    expect(windows.toString('latin1', 0, 2)).toBe('MZ');
    expect(peMachine(windows)).toBe(0x8664);
    expect(fuse(windows)).toBe('1');
    expect(peResource(await readFile(nodeRuntime('win-x64')), SEA_RESOURCE)).toBeNull();
    const blob = peResource(windows, SEA_RESOURCE);
    expect(blob?.indexOf(bundle)).toBeGreaterThan(0);
    expect(blob?.toString('latin1')).toContain(`// santong-agent-executable ${AGENT_VERSION} win-x64\n`);
    expect(artifactVersion(windows)).toEqual({ kind: 'executable', version: AGENT_VERSION, target: 'win-x64' });
  });
});

const wine = ensureWine({ allowSudo: false });
if (!wine.ready) console.warn(`SKIPPED the Windows executable under Wine: ${wine.reason}`);

describe.skipIf(!wine.ready)('the win-x64 executable under Wine (decision 091)', () => {
  let server: TestServer;
  let dir: { dir: string; cleanup: () => Promise<void> };
  beforeAll(async () => {
    server = await startTestServer();
    dir = await tempDir('santong-wine-exe-');
    if (!existsSync(join(built.dir, 'win-x64')))
      buildExecutable({
        target: 'win-x64',
        bundle: join(built.dir, 'santong-agent.mjs'),
        outfile: join(built.dir, 'win-x64'),
        version: AGENT_VERSION,
      });
  }, 600_000);
  afterAll(async () => {
    spawnSync(WINESERVER, ['--kill'], { env: wineEnv(join(dir.dir, 'prefix')) });
    await server.close();
    await dir.cleanup();
  });

  const inWine = (args: string[], log: string) =>
    runInWine(args, { prefix: join(dir.dir, 'prefix'), cwd: join(dir.dir, 'app'), log: join(dir.dir, log) });

  it('starts from its own folder (no node.exe in the prefix), unpacks its bundle and enrolls against the real server', async () => {
    freshPrefix(join(dir.dir, 'prefix'));
    await mkdir(join(dir.dir, 'app'));
    await copyFile(join(built.dir, 'win-x64'), join(dir.dir, 'app', 'santong-agent.exe'));
    const version = await inWine(['santong-agent.exe', '--version'], 'version.log');
    expect(version.code, version.log).toBe(0);
    expect(version.log.trim()).toBe(AGENT_VERSION);
    expect(sha(await readFile(join(dir.dir, 'app', 'agent', 'santong-agent.mjs')))).toBe(sha(bundle));

    const enrolled = await inWine(
      [
        'santong-agent.exe',
        'enroll',
        '--server',
        server.url,
        '--token',
        await server.enrollmentToken('6229210001'),
        '--config',
        'C:\\santong\\config.json',
        '--lang',
        'en',
      ],
      'enroll.log',
    );
    expect(enrolled.code, enrolled.log).toBe(0);
    expect(enrolled.log).toMatch(/^enrolled as device [0-9a-f-]{36} at 测试第一小学 \(6229210001\)/m);
    expect(server.db.$client.prepare('select count(*) as n from devices').get()).toEqual({ n: 1 });
  }, 120_000);
});
