import { createHash, createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { releaseSigningMessage } from '../../shared/schemas/release.ts';
import { bundleVersion, publishAgentRelease } from '../../server/releases/releases.ts';
import { requestJson } from '../helpers/http.ts';
import { byTest, createTestContext, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('agent releases', () => {
  it('serves the newest bundle signed with the key the agent pinned at enrollment', async () => {
    ctx = createTestContext();
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
    });
    const pinned = createPublicKey({
      key: Buffer.from(enrolled.body.releaseSigningKey, 'base64'),
      format: 'der',
      type: 'spki',
    });
    const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 0.2.0\nconsole.log("agent")\n');
    expect(bundleVersion(bundle)).toBe('0.2.0');
    publishAgentRelease(ctx.db, bundle, '0.2.0', ctx.clock(), byTest);

    const latest = await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest', {
      bearer: enrolled.body.deviceKey,
    });
    expect(latest.status).toBe(200);
    expect(latest.body).toMatchObject({
      version: '0.2.0',
      size: bundle.length,
      sha256: createHash('sha256').update(bundle).digest('hex'),
    });
    const download = await ctx.app.request(latest.body.bundleUrl, {
      headers: { authorization: `Bearer ${enrolled.body.deviceKey}` },
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

  it('keeps published versions immutable and needs a device key', async () => {
    ctx = createTestContext();
    publishAgentRelease(ctx.db, Buffer.from('a'), '1.0.0', ctx.clock(), byTest);
    expect(() => publishAgentRelease(ctx.db, Buffer.from('b'), '1.0.0', ctx.clock(), byTest)).toThrow(
      /already published/,
    );
    expect(() => publishAgentRelease(ctx.db, Buffer.from('b'), 'latest', ctx.clock(), byTest)).toThrow(
      /a version like 1.4.2/,
    );
    expect((await requestJson(ctx.app, 'GET', '/api/v1/agent/releases/latest')).status).toBe(401);
  });
});
