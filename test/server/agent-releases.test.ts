import { createHash, createPublicKey, verify } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseSigningMessage } from '../../shared/schemas/release.ts';
import { keysTrustedAfter } from '../../shared/schemas/release-keys.ts';
import { revokeReleaseKey } from '../../server/releases/release-keys.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { bundleVersion } from '../../shared/release-artifacts.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { byTest, createTestContext, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const bundleOf = (version: string) =>
  Buffer.from(`#!/usr/bin/env node\n// santong-agent ${version}\nconsole.log("agent")\n`);

async function enroll() {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
  });
  expect(enrolled.status).toBe(201);
  return enrolled.body;
}

describe('agent releases', () => {
  it('serves the newest bundle, signed offline by a key the agent pinned at enrollment', async () => {
    ctx = await createTestContext();
    const key = makeReleaseKey();
    await trustReleaseKey(ctx.store, key);
    const enrolled = await enroll();
    expect(enrolled.releaseKeys).toEqual([{ publicKey: key.publicKey, fingerprint: key.fingerprint }]);
    expect(enrolled.releaseKeys[0].fingerprint).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){4}$/);
    expect(enrolled.releaseSigningKey).toBe(key.publicKey); // what agents before issue 11 pin
    const pinned = createPublicKey({
      key: Buffer.from(enrolled.releaseKeys[0].publicKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const bundle = bundleOf('0.2.0');
    expect(bundleVersion(bundle)).toBe('0.2.0');
    await publishAgentRelease(ctx.store, bundle, key.sign(bundle), ctx.clock(), byTest);

    const latest = await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest', { bearer: enrolled.deviceKey });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({
      version: '0.2.0',
      size: bundle.length,
      sha256: createHash('sha256').update(bundle).digest('hex'),
      signedBy: key.publicKey,
      keyStatements: [],
    });
    const download = await ctx.app.request(latest.body.bundleUrl, {
      headers: { authorization: `Bearer ${enrolled.deviceKey}` },
    });
    const served = Buffer.from(await download.arrayBuffer());
    expect(served.equals(bundle)).toBe(true);

    const signature = Buffer.from(latest.body.signature, 'base64');
    const digest = createHash('sha256').update(served).digest('hex');
    expect(verify(null, releaseSigningMessage('0.2.0', digest), pinned, signature)).toBe(true);
    // The same signature does not cover another version number or other bytes.
    expect(verify(null, releaseSigningMessage('0.3.0', digest), pinned, signature)).toBe(false);
    const tampered = createHash('sha256')
      .update(Buffer.concat([served, Buffer.from('//x')]))
      .digest('hex');
    expect(verify(null, releaseSigningMessage('0.2.0', tampered), pinned, signature)).toBe(false);
  });

  it('publishes only what a trusted key signed over exactly these bytes and this version', async () => {
    ctx = await createTestContext();
    const key = makeReleaseKey();
    const bundle = bundleOf('1.0.0');
    await expect(publishAgentRelease(ctx.store, bundle, key.sign(bundle), ctx.clock(), byTest)).rejects.toThrow(
      /does not trust \(trusted: none yet\)/,
    );
    await trustReleaseKey(ctx.store, key);
    const stranger = makeReleaseKey();
    await expect(publishAgentRelease(ctx.store, bundle, stranger.sign(bundle), ctx.clock(), byTest)).rejects.toThrow(
      new RegExp(`signed by key ${stranger.fingerprint}, which this server does not trust`),
    );
    const signed = key.sign(bundle);
    await expect(
      publishAgentRelease(ctx.store, Buffer.concat([bundle, Buffer.from('//x')]), signed, ctx.clock(), byTest),
    ).rejects.toThrow(/signature is for other bytes/);
    await expect(
      publishAgentRelease(ctx.store, bundle, { ...signed, publicKey: stranger.publicKey }, ctx.clock(), byTest),
    ).rejects.toThrow(/does not verify/);
    await expect(
      publishAgentRelease(
        ctx.store,
        bundle,
        { ...signed, signature: stranger.sign(bundle).signature },
        ctx.clock(),
        byTest,
      ),
    ).rejects.toThrow(/does not verify/);
    await expect(
      publishAgentRelease(
        ctx.store,
        bundleOf('1.0.1'),
        { ...key.sign(bundleOf('1.0.1')), version: '1.0.2' },
        ctx.clock(),
        byTest,
      ),
    ).rejects.toThrow(/names itself 1.0.1, the signature 1.0.2/);
    await publishAgentRelease(ctx.store, bundle, signed, ctx.clock(), byTest);
    await expect(publishAgentRelease(ctx.store, bundle, signed, ctx.clock(), byTest)).rejects.toThrow(
      /already published/,
    );
  });

  it('needs a device key', async () => {
    ctx = await createTestContext();
    expect((await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest')).status).toBe(401);
  });

  it('with no release key configured, enrollment pins nothing and says so (no key is made up)', async () => {
    ctx = await createTestContext();
    const enrolled = await enroll();
    expect(enrolled.releaseKeys).toEqual([]);
    expect(enrolled.releaseSigningKey).toBeNull();
    expect(ctx.db.$client.prepare('select count(*) as n from release_keys').get()).toEqual({ n: 0 });
  });

  it('issue 11: a copy of the database holds no private key, so whoever steals a backup cannot sign an update', async () => {
    ctx = await createTestContext();
    const key = makeReleaseKey();
    await trustReleaseKey(ctx.store, key);
    await enroll();
    await publishAgentRelease(ctx.store, bundleOf('0.2.0'), key.sign(bundleOf('0.2.0')), ctx.clock(), byTest);
    ctx.db.$client.pragma('wal_checkpoint(TRUNCATE)');
    const copy = path.join(ctx.dataDir, 'stolen.sqlite');
    await ctx.db.$client.backup(copy);
    for (const file of [
      copy,
      ...fs
        .readdirSync(ctx.dataDir)
        .filter((f) => f.startsWith('santong.sqlite'))
        .map((f) => path.join(ctx.dataDir, f)),
    ]) {
      const bytes = fs.readFileSync(file);
      expect(bytes.includes('PRIVATE KEY'), file).toBe(false);
      // PKCS#8 DER of an Ed25519 key starts 30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 (base64 "MC4CAQAwBQYDK2VwBCIEI").
      expect(bytes.includes('MC4CAQAwBQYDK2VwBCIEI'), file).toBe(false);
      expect(bytes.includes(Buffer.from('302e020100300506032b657004220420', 'hex')), file).toBe(false);
    }
  });

  it('follows a rotation: a new key vouched for by a trusted one is announced with its statement; a revocation drops it', async () => {
    ctx = await createTestContext();
    const [first, second, stranger] = [makeReleaseKey(), makeReleaseKey(), makeReleaseKey()];
    await trustReleaseKey(ctx.store, first);
    const enrolled = await enroll(); // pins `first` only
    await expect(trustReleaseKey(ctx.store, second, stranger.vouchFor(second))).rejects.toThrow(
      /signed by .* which this server does not trust/,
    );
    await expect(trustReleaseKey(ctx.store, second, first.vouchFor(stranger))).rejects.toThrow(
      /does not vouch for this key/,
    );
    await trustReleaseKey(ctx.store, second, first.vouchFor(second));
    await publishAgentRelease(ctx.store, bundleOf('0.3.0'), second.sign(bundleOf('0.3.0')), ctx.clock(), byTest);
    const latest = await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest', { bearer: enrolled.deviceKey });
    expect(latest.body.keyStatements).toEqual(
      [first.vouchFor(second)].map((s) => ({ ...s, signature: expect.any(String) })),
    );
    expect(keysTrustedAfter([first.publicKey], latest.body.keyStatements)).toEqual([first.publicKey, second.publicKey]);

    await expect(
      revokeReleaseKey(ctx.store, { ...second.revocation(), signedBy: first.publicKey }, ctx.clock(), byTest),
    ).rejects.toThrow(/signed by the key it revokes/);
    const revoked = await revokeReleaseKey(ctx.store, second.revocation(), ctx.clock(), byTest);
    expect(revoked.stillTrusted).toEqual([first.fingerprint]);
    await expect(
      publishAgentRelease(ctx.store, bundleOf('0.4.0'), second.sign(bundleOf('0.4.0')), ctx.clock(), byTest),
    ).rejects.toThrow(/does not trust/);
    await expect(trustReleaseKey(ctx.store, second)).rejects.toThrow(/revoked; a revoked key is never trusted again/);
    const after = await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest', { bearer: enrolled.deviceKey });
    expect(keysTrustedAfter([first.publicKey], after.body.keyStatements)).toEqual([first.publicKey]);
    expect((await enroll()).releaseKeys.map((k: { fingerprint: string }) => k.fingerprint)).toEqual([
      first.fingerprint,
    ]);
  });
});
