import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../agent/build.ts';
import { buildDeb, DEB_SERVICE, DEB_UNIT_PATH } from '../../agent/package/deb.ts';
import { debName } from '../../shared/release-artifacts.ts';
import { buildExecutable } from '../../agent/package/executable.ts';
import { systemdUnit } from '../../agent/service.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { artifactVersion } from '../../shared/release-artifacts.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { agentEnv, exited } from './agent-process.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { debRootUnavailable, makeDebRoot, type DebRoot } from '../../bench/agent/deb-root.ts';
import { elfMachine } from './executable-format.ts';
import { tempDir } from './report-fixture.ts';

/*
 * The .deb of issue 16 (docs/decisions/171-agent-deb.md), built as `npm run build:agent` builds it (xz level 1 here,
 * for time). dpkg-deb reads both; the amd64 one is installed, started, removed and purged with the real dpkg in a
 * root made by the test, enrolling against a real server on 127.0.0.1 from SANTONG_SERVER and SANTONG_TOKEN.
 */
let built: { dir: string; cleanup: () => Promise<void> };
const debs = { amd64: '', arm64: '' };

beforeAll(async () => {
  built = await tempDir('santong-deb-');
  const bundle = join(built.dir, 'santong-agent.mjs');
  await buildAgentBundle({ outfile: bundle });
  for (const [arch, target] of [
    ['amd64', 'linux-x64'],
    ['arm64', 'linux-arm64'],
  ] as const) {
    const executable = join(built.dir, target);
    buildExecutable({ target, bundle, outfile: executable, version: AGENT_VERSION });
    debs[arch] = join(built.dir, debName(AGENT_VERSION, arch));
    buildDeb({ executable, arch, version: AGENT_VERSION, outfile: debs[arch], fast: true });
  }
}, 600_000); // the first run fetches Node's binaries; later runs find them in the cache
afterAll(() => built.cleanup());

const dpkgDeb = (...args: string[]) => spawnSync('dpkg-deb', args, { encoding: 'utf8' }).stdout;

describe('the .deb as dpkg-deb reads it', () => {
  it.each([
    ['amd64', 0x3e],
    ['arm64', 0xb7],
  ] as const)('%s: control fields, maintainer scripts, and the files it installs', (arch, machine) => {
    const info = dpkgDeb('--info', debs[arch]);
    expect(info).toMatch(/^ Package: santong-agent$/m);
    expect(info).toMatch(new RegExp(`^ Version: ${AGENT_VERSION.replaceAll('.', '\\.')}$`, 'm'));
    expect(info).toMatch(new RegExp(`^ Architecture: ${arch}$`, 'm'));
    expect(info).toMatch(/^ Depends: libc6 \(>= 2\.28\), libstdc\+\+6$/m);
    for (const script of ['postinst', 'prerm', 'postrm']) expect(info).toMatch(new RegExp(`\\* +${script} +#!/bin/sh`));
    const contents = dpkgDeb('--contents', debs[arch]);
    expect(contents).toMatch(/^-rwxr-xr-x root\/root +\d+ .* \.\/opt\/santong-agent\/santong-agent$/m);
    expect(contents).toMatch(
      /^lrwxrwxrwx root\/root .* \.\/usr\/bin\/santong-agent -> \/opt\/santong-agent\/santong-agent$/m,
    );
    expect(contents).toMatch(/^-rw-r--r-- root\/root .* \.\/lib\/systemd\/system\/santong-agent\.service$/m);
    // The executable inside is for the package's machine, and the unit is agent/service.ts's, byte for byte.
    const executable = spawnSync(
      'sh',
      ['-c', `dpkg-deb --fsys-tarfile ${debs[arch]} | tar -xO ./opt/santong-agent/santong-agent`],
      {
        maxBuffer: 256 * 1024 * 1024,
      },
    ).stdout;
    expect(elfMachine(executable)).toBe(machine);
    const unit = spawnSync('sh', ['-c', `dpkg-deb --fsys-tarfile ${debs[arch]} | tar -xO .${DEB_UNIT_PATH}`], {
      encoding: 'utf8',
    }).stdout;
    expect(unit).toBe(systemdUnit(DEB_SERVICE));
    expect(artifactVersion(readFileSync(debs[arch]))).toEqual({ kind: 'deb', version: AGENT_VERSION, target: arch });
  });
});

const unavailable = debRootUnavailable();
if (unavailable) console.warn(`SKIPPED installing the .deb in a root made by the test: ${unavailable}`);

describe.skipIf(unavailable !== null)('the .deb installed with dpkg in a root made by the test', () => {
  let server: TestServer;
  let dir: { dir: string; cleanup: () => Promise<void> };
  let debRoot: DebRoot;
  beforeAll(async () => {
    server = await startTestServer();
    dir = await tempDir('santong-deb-root-');
    debRoot = makeDebRoot(dir.dir);
  });
  afterAll(async () => {
    await server.close();
    await dir.cleanup();
  });

  const inRoot = (path: string) => debRoot.file(path);
  const dpkg = (args: string[], env: Record<string, string> = {}) =>
    completed(debRoot.run(['dpkg', `--root=${debRoot.root}`, '--log=/dev/null', ...args], agentEnv(env)));
  const agentUser = () =>
    /^santong-agent:x:(\d+):(\d+):[^:\n]*:([^:\n]*):([^:\n]*)$/m.exec(readFileSync(inRoot('etc/passwd'), 'utf8'));
  const reports = () => (server.db.$client.prepare('select count(*) as n from reports').get() as { n: number }).n;

  it('installs: a system user, enrollment from SANTONG_SERVER and SANTONG_TOKEN, the unit, folders the user owns', async () => {
    const installed = await dpkg(['-i', debs.amd64], {
      SANTONG_SERVER: server.url,
      SANTONG_TOKEN: await server.enrollmentToken('6229210001'),
      SANTONG_CLASSROOM: '1',
    });
    expect(installed.code, installed.stderr).toBe(0);
    expect(installed.stdout).not.toContain('not enrolled yet');

    const user = agentUser();
    expect(user, "no santong-agent in the root's /etc/passwd").not.toBeNull();
    const [, uid, gid, home, shell] = user!;
    expect(Number(uid)).toBeLessThan(1000); // a system user
    expect([home, shell]).toEqual(['/var/lib/santong-agent', '/usr/sbin/nologin']);
    expect(readFileSync('/etc/passwd', 'utf8')).not.toMatch(/^santong-agent:/m); // the machine's own is untouched

    const owner = (path: string) => {
      const s = statSync(inRoot(path));
      return [s.uid, s.gid, (s.mode & 0o777).toString(8)];
    };
    expect(owner('etc/santong-agent/config.json')).toEqual([Number(uid), Number(gid), '600']);
    expect(owner('etc/santong-agent')).toEqual([0, Number(gid), '750']);
    expect(owner('var/lib/santong-agent').slice(0, 2)).toEqual([Number(uid), Number(gid)]);
    expect(owner('opt/santong-agent/agent').slice(0, 2)).toEqual([Number(uid), Number(gid)]);
    expect(owner('opt/santong-agent/santong-agent')).toEqual([0, 0, '755']); // the launcher stays root's
    expect(readFileSync(inRoot(DEB_UNIT_PATH.slice(1)), 'utf8')).toBe(systemdUnit(DEB_SERVICE));
    expect(lstatSync(inRoot('usr/bin/santong-agent')).isSymbolicLink()).toBe(true);

    const devices = server.db.$client.prepare('select school_code, classroom_id from devices').all();
    expect(devices).toEqual([{ school_code: '6229210001', classroom_id: expect.any(Number) }]); // SANTONG_CLASSROOM=1
  }, 120_000);

  it('starts as the unit says (its user, its command, its environment) and reports to the server', async () => {
    const unit = readFileSync(inRoot(DEB_UNIT_PATH.slice(1)), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)![1]!.split(' ');
    const environment = [...unit.matchAll(/^Environment="?([^=]+)=(.*?)"?$/gm)].map((m) => `${m[1]}=${m[2]}`);
    const [, uid, gid] = agentUser()!;
    // The internet probe goes to the test's server, not the real internet: loopback only.
    const configFile = inRoot('etc/santong-agent/config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      configFile,
      JSON.stringify({ ...config, internetTargets: [`${server.url}/healthz`], throughput: { enabled: false } }),
    );
    const before = reports();
    const service = debRoot.run([
      'chroot',
      `--userspec=${uid}:${gid}`,
      debRoot.root,
      'env',
      '-i',
      'PATH=/usr/sbin:/usr/bin',
      ...environment,
      ...execStart,
    ]);
    const output = collect(service);
    await waitFor(() => reports() > before, 'a report from the service in the root', 60_000);
    service.kill('SIGTERM');
    await exited(service);
    expect(service.exitCode, output.stderr()).toBe(0);
    expect(output.stderr()).toContain('agent started');
    expect(statSync(inRoot('opt/santong-agent/agent/santong-agent.mjs')).uid).toBe(Number(uid));
  }, 120_000);

  it('removes the package but keeps settings and state; purge removes them and the user', async () => {
    const removed = await dpkg(['-r', 'santong-agent']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).not.toContain('not empty');
    expect(existsSync(inRoot('opt/santong-agent'))).toBe(false);
    expect(existsSync(inRoot(DEB_UNIT_PATH.slice(1)))).toBe(false);
    expect(existsSync(inRoot('usr/bin/santong-agent'))).toBe(false);
    expect(existsSync(inRoot('etc/santong-agent/config.json'))).toBe(true); // the device key, for a reinstall
    expect(existsSync(inRoot('var/lib/santong-agent'))).toBe(true);
    expect(agentUser()).not.toBeNull();

    const purged = await dpkg(['-P', 'santong-agent']);
    expect(purged.code, purged.stderr).toBe(0);
    expect(existsSync(inRoot('etc/santong-agent'))).toBe(false);
    expect(existsSync(inRoot('var/lib/santong-agent'))).toBe(false);
    expect(agentUser()).toBeNull();
    const status = await dpkg(['-s', 'santong-agent']);
    expect(status.code).not.toBe(0);
  }, 120_000);
});

function collect(child: ChildProcess) {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return { stdout: () => stdout, stderr: () => stderr };
}

async function completed(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const output = collect(child);
  await exited(child);
  return { code: child.exitCode, stdout: output.stdout(), stderr: output.stderr() };
}
