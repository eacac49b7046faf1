import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pinnedReleaseKeys } from '../../agent/config.ts';
import { openAgent, type AgentContext } from '../../agent/context.ts';
import { enroll } from '../../agent/enroll.ts';
import { checkForUpdate, type UpdateCheckOptions } from '../../agent/update/check.ts';
import { runningBundle } from '../../agent/update/install.ts';
import { compareVersions } from '../../agent/update/semver.ts';
import { learnKeyStatements } from '../../agent/update/trust.ts';
import { releaseSigningMessage } from '../../shared/schemas/release.ts';
import { revokeReleaseKey } from '../../server/releases/release-keys.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { makeReleaseKey, trustReleaseKey, type TestReleaseKey } from '../helpers/release-keys.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { tempDir } from './report-fixture.ts';

let server: TestServer;
let dir: string;
let cleanup: () => Promise<void>;
let ctx: AgentContext;
let bundle: string;
let key: TestReleaseKey;
const installed = '#!/usr/bin/env node\n// santong-agent 0.1.0\n';
const versionBundle = (version: string) =>
  Buffer.from(`#!/usr/bin/env node\n// santong-agent ${version}\nconsole.log("${version}");\n`);
const newer = versionBundle('0.2.0');

describe('update check against the real server', () => {
  beforeEach(async () => {
    process.env.SANTONG_AGENT_QUIET = '1';
    server = await startTestServer();
    key = makeReleaseKey();
    await trustReleaseKey(server.store, key);
    ({ dir, cleanup } = await tempDir());
    const configPath = join(dir, 'config.json');
    await enroll({
      server: server.url,
      token: await server.enrollmentToken('6229210001'),
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
      pinnedKeys: pinnedReleaseKeys(ctx.config),
      failedVersions: [],
      now: Date.now(),
      ...o,
    });
  const publish = async (bytes: Buffer, by: TestReleaseKey = key) =>
    await publishAgentRelease(server.store, bytes, by.sign(bytes), Date.now(), {
      actor: 'cli:test',
      reason: 'release under test',
    });

  /** Bundle files beside the installed one after a check: a refusal must leave none behind. */
  const leftovers = async () => (await readdir(dir)).filter((n) => n.startsWith('santong-agent.mjs.'));

  it('nothing published: nothing to do; the same or an older version: nothing to do', async () => {
    expect(pinnedReleaseKeys(ctx.config)).toEqual([key.publicKey]);
    expect(await check()).toEqual({ outcome: 'none' });
    await publish(newer);
    expect(await check({ currentVersion: '0.2.0' })).toEqual({ outcome: 'current' });
    expect(await check({ currentVersion: '0.10.0' })).toEqual({ outcome: 'current' });
  });

  it('keeps the announced signature of the bundle it runs when the .sig beside it lacks it (updated by an older agent)', async () => {
    await writeFile(bundle, newer);
    const release = await publish(newer);
    expect(await check({ currentVersion: '0.2.0' })).toEqual({ outcome: 'current' });
    expect(JSON.parse(await readFile(`${bundle}.sig`, 'utf8'))).toEqual([
      { version: '0.2.0', sha256: release.sha256, signature: release.signature, publicKey: key.publicKey },
    ]);
    await writeFile(bundle, Buffer.concat([newer, Buffer.from('// changed\n')]));
    await rm(`${bundle}.sig`);
    expect(await check({ currentVersion: '0.2.0' })).toEqual({ outcome: 'current' });
    expect(await leftovers()).toEqual([]); // other bytes than the announced ones get no record
  });

  it('installs a release signed by the pinned key, and keeps its signature beside the bundle for the launcher', async () => {
    const release = await publish(newer);
    expect(await check()).toEqual({ outcome: 'installed', version: '0.2.0' });
    expect(await readFile(bundle)).toEqual(newer);
    expect(JSON.parse(await readFile(`${bundle}.sig`, 'utf8'))).toEqual([
      { version: '0.2.0', sha256: release.sha256, signature: release.signature, publicKey: key.publicKey },
    ]);
  });

  it('refuses a release signed by another key (a server database edited behind the bureau) and downloads nothing', async () => {
    const release = await publish(newer);
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const forged = sign(null, releaseSigningMessage('0.2.0', release.sha256), stranger).toString('base64');
    server.db.$client.prepare('update agent_releases set signature = ?').run(forged);
    expect(await check()).toEqual({
      outcome: 'refused',
      version: '0.2.0',
      reason: 'signature does not verify with any release key this PC trusts',
    });
    expect(await leftovers()).toEqual([]);
  });

  it('issue 11: a forged 9.9.9 signed by a key the attacker made trusted on the server itself is refused', async () => {
    // Whoever can write the server's database can trust a key of their own there and publish with it;
    // the PC trusts only what it pinned at enrollment and what those keys vouched for.
    const attacker = makeReleaseKey();
    await trustReleaseKey(server.store, attacker);
    await publish(versionBundle('9.9.9'), attacker);
    expect(await check()).toMatchObject({
      outcome: 'refused',
      version: '9.9.9',
      reason: 'signature does not verify with any release key this PC trusts',
    });
    // A statement of their own making vouches for nothing: their key is not one the PC trusts.
    const other = makeReleaseKey();
    server.db.$client
      .prepare('update release_keys set endorsed_by = ?, endorsement = ? where public_key = ?')
      .run(other.publicKey, other.vouchFor(attacker).signature, attacker.publicKey);
    expect(await check()).toMatchObject({ outcome: 'refused', version: '9.9.9' });
    expect(await leftovers()).toEqual([]);
  });

  it('refuses any release when no key was pinned at enrollment', async () => {
    await publish(newer);
    expect(await check({ pinnedKeys: [] })).toMatchObject({
      outcome: 'refused',
      reason: expect.stringMatching(/enroll this PC again/),
    });
  });

  it('follows a rotation the pinned key vouched for, and drops a key for good once it revoked itself', async () => {
    const successor = makeReleaseKey();
    await trustReleaseKey(server.store, successor); // without a statement: PCs enrolled before do not trust it
    await publish(newer, successor);
    expect(await check()).toMatchObject({
      outcome: 'refused',
      reason: 'signature does not verify with any release key this PC trusts',
    });
    server.db.$client
      .prepare('update release_keys set endorsed_by = ?, endorsement = ? where public_key = ?')
      .run(key.publicKey, key.vouchFor(successor).signature, successor.publicKey);
    expect(await check()).toEqual({ outcome: 'installed', version: '0.2.0' });
    expect(JSON.parse(await readFile(`${bundle}.keys.json`, 'utf8'))).toEqual({
      statements: [key.vouchFor(successor)].map((s) => ({ ...s, signature: expect.any(String) })),
    });

    await revokeReleaseKey(server.store, successor.revocation(), Date.now(), { actor: 'cli:test', reason: 'key lost' });
    // The server publishes nothing signed by a revoked key; its database changed behind the bureau would.
    const bytes = versionBundle('0.3.0');
    const signed = successor.sign(bytes);
    server.db.$client
      .prepare(
        'insert into agent_releases (version, bundle, sha256, signature, signed_by, published_at) values (?, ?, ?, ?, ?, ?)',
      )
      .run('0.3.0', bytes, signed.sha256, signed.signature, successor.publicKey, Date.now());
    expect(await check({ currentVersion: '0.2.0' })).toMatchObject({
      outcome: 'refused',
      reason: 'signature does not verify with any release key this PC trusts',
    });
    // The server forgets the revocation (a restored old backup, or an attacker): the PC does not.
    server.db.$client.prepare('update release_keys set revoked_at = null, revocation = null').run();
    expect(await check({ currentVersion: '0.2.0' })).toMatchObject({ outcome: 'refused', version: '0.3.0' });

    await revokeReleaseKey(server.store, key.revocation(), Date.now(), { actor: 'cli:test', reason: 'key lost' });
    expect(await check({ currentVersion: '0.2.0' })).toMatchObject({
      outcome: 'refused',
      reason: 'every release key this PC trusted was revoked: enroll this PC again to receive updates',
    });
  });

  it('keeps no statement that is about keys it does not trust (anyone can sign a revocation of a key of their own)', async () => {
    const stranger = makeReleaseKey();
    expect(
      await learnKeyStatements(bundle, [key.publicKey], [stranger.revocation(), stranger.vouchFor(makeReleaseKey())]),
    ).toEqual([key.publicKey]);
    expect(await leftovers()).toEqual([]);
  });

  it('refuses a signed bundle that names another version, and skips a version that failed here before', async () => {
    // The old bundle re-announced as 0.3.0 with a valid signature (the server refuses to publish that; its database need not be the server's doing).
    const old = Buffer.from(installed);
    const sha256 = createHash('sha256').update(old).digest('hex');
    const signature = sign(null, releaseSigningMessage('0.3.0', sha256), key.privateKey).toString('base64');
    server.db.$client
      .prepare(
        'insert into agent_releases (version, bundle, sha256, signature, signed_by, published_at) values (?, ?, ?, ?, ?, ?)',
      )
      .run('0.3.0', old, sha256, signature, key.publicKey, Date.now());
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
