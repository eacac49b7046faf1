import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../../server/config.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { releaseSignatureSchema, releaseSignatureValid } from '../../shared/schemas/release.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { byTest, createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * Issue 18 item 10: the school page's install section says the right thing to each reader, writes the
 * server's public address into the commands, offers the agent for download, and a hardware conflict column
 * that reads "no" is not painted as a failure.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 2.4.0\nconsole.log("agent")\n');

async function signedIn(username: string) {
  const client = DashboardClient.forApp(ctx);
  await client.signIn(username);
  return client;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const section = (html: string, id: string) => {
  const start = html.indexOf(`id="${id}"`);
  return start < 0 ? '' : html.slice(start);
};
const tableOf = (html: string, id: string) =>
  new RegExp(`<table[^>]*id="${id}"[\\s\\S]*?</table>`).exec(html)?.[0] ?? '';

describe('the school page’s install section', () => {
  it('tells a county officer to issue the token, links to it, and names the missing public URL', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const officer = await signedIn('county-a');
    const page = (await officer.get('/schools/6229210001')).text;
    const install = section(page, 'install');
    expect(install).toContain('先为本校创建注册令牌');
    expect(install).not.toContain('请向县教育局申请注册令牌');
    expect(install).toContain('href="/enrollment?school=6229210001"');
    // No SANTONG_PUBLIC_URL: the browser's address, with a note that says so and names the setting.
    expect(install).toContain('--server http://localhost ');
    expect(install).toMatch(/class="note" role="note">服务器没有设置公开地址（SANTONG_PUBLIC_URL 或 --public-url）/);
    // Nothing published yet: the page says how a release gets there, and the download is a 404.
    expect(install).toContain('本服务器尚未发布采集程序');
    expect((await officer.get('/agent/santong-agent.mjs')).status).toBe(404);
    // The link fills in the school on the enrollment form.
    const enrollment = (await officer.get('/enrollment?school=6229210001')).text;
    expect(enrollment).toMatch(/<input name="schoolCode"[^>]*value="6229210001"/);

    const school = await signedIn('school-a1');
    const own = section((await school.get('/schools/6229210001')).text, 'install');
    expect(own).toContain('请向县教育局申请注册令牌');
    expect(own).not.toContain('href="/enrollment');
  });

  it('writes the public URL into the commands and offers the published agent with its signature', async () => {
    ctx = await createTestContext({ publicUrl: 'https://santong.example.cn' });
    await createDashboardUsers(ctx);
    const key = makeReleaseKey();
    await trustReleaseKey(ctx.store, key);
    await publishAgentRelease(ctx.store, bundle, key.sign(bundle), ctx.clock(), byTest);
    for (const who of ['county-a', 'school-a1']) {
      const client = await signedIn(who);
      const install = section((await client.get('/schools/6229210001')).text, 'install');
      expect(install).toContain('--server https://santong.example.cn --token');
      expect(install).not.toContain('http://localhost');
      expect(install).not.toContain('SANTONG_PUBLIC_URL');
      expect(install).toContain('href="/agent/santong-agent.mjs" download="santong-agent.mjs"');
      expect(tableOf(install, 'agent-files')).toMatch(
        new RegExp(
          `santong-agent.mjs</a></td><td>采集程序（需 Node.js）</td><td>2.4.0</td><td>1 KiB</td><td><code class="digest">${sha256(bundle)}</code>`,
        ),
      );
      const download = await client.get('/agent/santong-agent.mjs');
      expect(download.status).toBe(200);
      expect(download.headers.get('content-disposition')).toBe('attachment; filename="santong-agent.mjs"');
      expect(Buffer.from(download.bytes).equals(bundle)).toBe(true);
      const sig = await client.get('/agent/santong-agent.mjs.sig');
      const signature = releaseSignatureSchema.parse(JSON.parse(sig.text));
      expect(signature).toEqual(key.sign(bundle));
      expect(releaseSignatureValid(signature)).toBe(true);
    }
    // Signed out, there is nothing to download.
    const stranger = DashboardClient.forApp(ctx);
    expect((await stranger.get('/agent/santong-agent.mjs')).location).toMatch(/^\/login/);
  });

  it('shows "no hardware conflict" plainly and a conflict as a conflict', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    await seedDevices(ctx);
    const officer = await signedIn('county-b');
    const devices = tableOf((await officer.get('/schools/6229220001')).text, 'device-table');
    expect(devices).toContain('<span class="tag conflict">是</span>');
    expect(devices).toMatch(/<td>否<\/td>/);
    expect(devices).not.toContain('<span class="no">否</span>');
  });
});

describe('the public URL setting', () => {
  it('takes an http(s) address from --public-url or SANTONG_PUBLIC_URL and refuses anything else by name', () => {
    expect(parseServerConfig({ 'public-url': 'https://santong.example.cn/' }, {}).publicUrl).toBe(
      'https://santong.example.cn',
    );
    expect(parseServerConfig({}, { SANTONG_PUBLIC_URL: 'http://10.20.0.5:8080' }).publicUrl).toBe(
      'http://10.20.0.5:8080',
    );
    expect(parseServerConfig({}, {}).publicUrl).toBeUndefined();
    for (const bad of ['santong.example.cn', 'ftp://santong.example.cn', 'https://santong.example.cn/?x=1'])
      expect(() => parseServerConfig({ 'public-url': bad }, {}), bad).toThrow(/SANTONG_PUBLIC_URL \(--public-url\)/);
  });
});
