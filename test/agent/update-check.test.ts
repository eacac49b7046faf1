import { generateKeyPairSync, sign } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openAgent, type AgentContext } from '../../agent/context.ts';
import { enroll } from '../../agent/enroll.ts';
import { checkForUpdate, type UpdateCheckOptions } from '../../agent/update/check.ts';
import { runningBundle } from '../../agent/update/install.ts';
import { compareVersions } from '../../agent/update/semver.ts';
import { releaseSigningMessage } from '../../shared/schemas/release.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from './report-fixture.ts';

let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let ctx: AgentContext;
let bundle: string;
const installed = '#!/usr/bin/env node\n// santong-agent 0.1.0\n';
const newer = Buffer.from('#!/usr/bin/env node\n// santong-agent 0.2.0\nconsole.log("0.2.0");\n');

describe('update check against the real server', () => {
  beforeEach(async () => {
    process.env.SANTONG_AGENT_QUIET = '1';
    server = await startTestServer();
    ({ dir, cleanup } = await tempDir());
    const configPath = join(dir, 'config.json');
    await enroll({
      server: server.url,
      token: server.enrollmentToken('6229210001'),
      configPath,
      internetTargets: [`${server.url}/healthz`],
    });
    ctx = await openAgent(configPath);
    bundle = join(dir, 'santong-agent.mjs');
    await writeFile(bundle, installed);
  });
  afterEach(async () => {
    await ctx.dispatcher.close();
    await server.close();
    await cleanup();
  });

  const check = (o: Partial<UpdateCheckOptions> = {}) =>
    checkForUpdate({
      target: ctx.target,
      bundle,
      currentVersion: '0.1.0',
      pinnedKey: ctx.config.releaseSigningKey,
      failedVersions: [],
      now: Date.now(),
      ...o,
    });

  /** Bundle files beside the installed one after a check: a refusal must leave none behind. */
  const leftovers = async () => (await readdir(dir)).filter((n) => n.startsWith('santong-agent.mjs.'));

  it('nothing published: nothing to do; the same or an older version: nothing to do', async () => {
    expect(await check()).toEqual({ outcome: 'none' });
    publishAgentRelease(server.db, newer, '0.2.0', Date.now(), { actor: 'cli:test', reason: 'release under test' });
    expect(await check({ currentVersion: '0.2.0' })).toEqual({ outcome: 'current' });
    expect(await check({ currentVersion: '0.10.0' })).toEqual({ outcome: 'current' });
  });

  it('refuses a release signed by another key (a server database edited behind the bureau) and downloads nothing', async () => {
    const release = publishAgentRelease(server.db, newer, '0.2.0', Date.now(), {
      actor: 'cli:test',
      reason: 'release under test',
    });
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = sign(null, releaseSigningMessage('0.2.0', release.sha256), stranger).toString('base64');
    server.db.$client.prepare('update agent_releases set signature = ?').run(forged);
    expect(await check()).toEqual({
      outcome: 'refused',
      version: '0.2.0',
      reason: 'signature does not verify with the pinned release key',
    });
    expect(await leftovers()).toEqual([]);
  });

  it('refuses any release when no key was pinned at enrollment', async () => {
    publishAgentRelease(server.db, newer, '0.2.0', Date.now(), { actor: 'cli:test', reason: 'release under test' });
    expect(await check({ pinnedKey: undefined })).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/enroll this PC again/),
    });
  });

  it('refuses a signed bundle that names another version, and skips a version that failed here before', async () => {
    publishAgentRelease(server.db, Buffer.from(installed), '0.3.0', Date.now(), {
      actor: 'cli:test',
      reason: 'release under test',
    }); // the old bundle re-announced as 0.3.0
    expect(await check()).toMatchObject({
      outcome: 'refused',
      reason: 'the bundle does not name itself version 0.3.0',
    });
    expect(await check({ failedVersions: ['0.3.0'] })).toMatchObject({ outcome: 'skipped', version: '0.3.0' });
    expect(await leftovers()).toEqual([]);
  });

  it('self-update is off when running from the TypeScript sources', () => {
    expect(runningBundle(new URL('../../agent/update/install.ts', import.meta.url).href)).toBeNull();
    expect(runningBundle('file:///opt/santong-agent/santong-agent.mjs')).toBe('/opt/santong-agent/santong-agent.mjs');
  });
});

describe('version order', () => {
  it.each([
    ['0.2.0', '0.1.0', 1],
    ['0.10.0', '0.9.9', 1],
    ['1.0.0', '1.0.0-rc.1', 1],
    ['1.0.0-rc.2', '1.0.0-rc.10', -1],
    ['1.0.0-alpha', '1.0.0-1', 1],
    ['1.0.0-alpha.1', '1.0.0-alpha', 1],
    ['1.0.0+build.5', '1.0.0', 0],
    ['1.0', '1.0.0', null],
  ] as const)('%s vs %s → %s', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});
