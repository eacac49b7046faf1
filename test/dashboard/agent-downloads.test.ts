import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { readFile, symlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runOfferCommand } from '../../server/commands/releases.ts';
import { revokeEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { agentDownloadDir } from '../../server/releases/agent-downloads.ts';
import { revokeReleaseKey } from '../../server/releases/release-keys.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { debName } from '../../shared/release-artifacts.ts';
import { releaseSignatureSchema } from '../../shared/schemas/release.ts';
import { tempDir } from '../agent/report-fixture.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { repoRoot } from '../helpers/cli.ts';
import { createDashboardUsers, DashboardClient } from '../helpers/dashboard.ts';
import { makeReleaseKey, trustReleaseKey } from '../helpers/release-keys.ts';
import { byTest, startTestServer, type TestServer } from '../helpers/server.ts';
import { buildSignedRelease, MAKENSIS, type BuiltRelease } from './agent-artifacts.ts';
import { auditLayout } from './layout-audit.ts';

/*
 * Issue 16 item 4 over HTTP on 127.0.0.1 (decision 183): `santong agent-release offer` takes only signed artifacts
 * that are what their names say; the server streams their exact bytes to a signed-in account or to a PC that
 * sends its school's enrollment token, in ranges, and cuts short a file changed on disk; the enrollment page's
 * download line runs, as printed, under the real curl; and in Chromium, the page a county officer reads.
 */
const PUBLIC_URL = 'https://santong.example.cn';
const outputDir = join(repoRoot, 'test-output');
const key = makeReleaseKey();
let release: BuiltRelease;
let built: { dir: string; cleanup: () => Promise<void> };
let server: TestServer;

beforeAll(async () => {
  built = await tempDir('santong-release-');
  release = await buildSignedRelease(built.dir, key);
  if (!release.installer) console.warn(`no ${MAKENSIS} (apt-get install nsis): the installer is not offered here`);
}, 600_000);
afterAll(() => built?.cleanup());
afterEach(() => server?.close());

const sha256 = (bytes: Buffer | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const offer = (file: string, flags: Record<string, string> = {}) =>
  runOfferCommand(server.store, server.dataDir, file, flags, byTest, server.clock());
/** Text of a `<pre>` as the page shows it. */
const unescape = (html: string) =>
  html
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
const pre = (html: string, attribute: string) =>
  unescape(new RegExp(`<pre ${attribute}>([^<]*)</pre>`).exec(html)?.[1] ?? '');

/** A server that trusts the key and offers every artifact the release has. */
async function offeringServer(options: Parameters<typeof startTestServer>[0] = {}) {
  server = await startTestServer(options);
  await createDashboardUsers(server);
  await trustReleaseKey(server.store, key);
  const bundle = await readFile(release.bundle);
  await publishAgentRelease(server.store, bundle, key.sign(bundle), server.clock(), byTest);
  for (const file of [release.installer, release.debAmd64, release.linuxX64, release.winX64])
    if (file) await offer(file);
}

describe('santong agent-release offer', () => {
  it('takes only files signed by a trusted key whose bytes are what their names say', async () => {
    server = await startTestServer();
    await expect(offer(release.linuxX64)).rejects.toThrow(
      /which this server does not trust; add it with `santong release-key add`/,
    );
    await trustReleaseKey(server.store, key);
    await expect(offer(release.linuxX64, { signature: join(built.dir, 'none.sig') })).rejects.toThrow(
      /no signature at .*none\.sig: sign the file with `santong release sign/,
    );
    await expect(offer(release.linuxX64, { signature: `${release.debAmd64}.sig` })).rejects.toThrow(
      /is for other bytes/,
    );
    // A signed executable under another kind's name, and a name the dashboard does not offer.
    const renamed = join(built.dir, 'santong-agent-linux-arm64');
    await symlink(release.linuxX64, renamed);
    await expect(offer(renamed, { signature: `${release.linuxX64}.sig` })).rejects.toThrow(
      /santong-agent-linux-arm64 does not hold what its name says \(its bytes name executable 0\.1\.0 for linux-x64\)/,
    );
    const other = join(built.dir, 'agent.bin');
    await symlink(release.linuxX64, other);
    await expect(offer(other, { signature: `${release.linuxX64}.sig` })).rejects.toThrow(
      /agent\.bin is not an artifact the dashboard offers; the names of version 0\.1\.0 are santong-agent-setup-win-x64\.exe, santong-agent_0\.1\.0_amd64\.deb/,
    );
    expect(fs.existsSync(agentDownloadDir(server.dataDir))).toBe(false);

    const lines = await offer(release.debAmd64);
    const deb = await readFile(release.debAmd64);
    expect(lines).toEqual([
      `${debName('0.1.0', 'amd64')} 0.1.0 offered on the dashboard: ${deb.length} bytes, sha256 ${sha256(deb)}, signed by ${key.fingerprint} (${agentDownloadDir(server.dataDir)})`,
    ]);
    const copied = join(agentDownloadDir(server.dataDir), basename(release.debAmd64));
    expect(sha256(await readFile(copied))).toBe(sha256(deb));
    expect(fs.statSync(copied).mode & 0o777).toBe(0o444);
    const audit = server.db.$client
      .prepare("select actor, entity_id, new_value from audit_log where action = 'agent-download.offer'")
      .all() as { entity_id: string; new_value: string }[];
    expect(audit.map((a) => [a.entity_id, JSON.parse(a.new_value).sha256])).toEqual([
      [basename(release.debAmd64), sha256(deb)],
    ]);
    if (release.installer)
      expect((await offer(release.installer))[0]).toMatch(/^santong-agent-setup-win-x64\.exe 0\.1\.0 offered/);
  });
});

describe('downloads', () => {
  it('streams the exact bytes to a PC with its school’s token or a signed-in account, in ranges', async () => {
    await offeringServer();
    const token = await server.enrollmentToken('6229210001');
    const deb = await readFile(release.debAmd64);
    const url = `${server.url}/agent/${basename(release.debAmd64)}`;
    const bearer = { authorization: `Bearer ${token}` };

    const whole = await fetch(url, { headers: bearer });
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-length')).toBe(String(deb.length));
    expect(whole.headers.get('content-type')).toBe('application/vnd.debian.binary-package');
    expect(whole.headers.get('content-disposition')).toBe(`attachment; filename="${basename(release.debAmd64)}"`);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(sha256(new Uint8Array(await whole.arrayBuffer()))).toBe(sha256(deb));

    const part = await fetch(url, { headers: { ...bearer, range: 'bytes=1000-1999' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 1000-1999/${deb.length}`]);
    expect(Buffer.from(await part.arrayBuffer()).equals(deb.subarray(1000, 2000))).toBe(true);
    const tail = await fetch(url, { headers: { ...bearer, range: 'bytes=-500' } });
    expect(Buffer.from(await tail.arrayBuffer()).equals(deb.subarray(deb.length - 500))).toBe(true);
    const past = await fetch(url, { headers: { ...bearer, range: `bytes=${deb.length}-` } });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${deb.length}`]);
    // A resumed download whose file changed (another ETag) gets the whole new file.
    const stale = await fetch(url, { headers: { ...bearer, range: 'bytes=0-9', 'if-range': '"old"' } });
    expect([stale.status, Number((await stale.arrayBuffer()).byteLength)]).toEqual([200, deb.length]);
    const head = await fetch(url, { method: 'HEAD', headers: bearer });
    expect([head.status, head.headers.get('content-length'), (await head.arrayBuffer()).byteLength]).toEqual([
      200,
      String(deb.length),
      0,
    ]);
    const signature = releaseSignatureSchema.parse(await (await fetch(`${url}.sig`, { headers: bearer })).json());
    expect(signature).toEqual(key.sign(deb));

    // Signed in, the officer downloads the same bytes; signed out and without a token, the login page.
    const officer = DashboardClient.forUrl(server.url);
    await officer.signIn('county-a');
    const exe = await officer.get(`/agent/${basename(release.linuxX64)}`);
    expect(sha256(exe.bytes)).toBe(sha256(await readFile(release.linuxX64)));
    const stranger = await fetch(url, { redirect: 'manual' });
    expect([stranger.status, stranger.headers.get('location')]).toEqual([
      302,
      `/login?next=${encodeURIComponent(`/agent/${basename(release.debAmd64)}`)}`,
    ]);

    // A token that cannot enroll cannot download, and says why (never the login page, which curl -L would save).
    const refused = async (authorization: string) => {
      const r = await fetch(url, { headers: { authorization }, redirect: 'manual' });
      return `${r.status} ${await r.text()}`;
    };
    expect(await refused('Bearer ste_not-a-token')).toBe(
      '401 unknown enrollment token; ask your county office for a new one\n',
    );
    expect(await refused(`Basic ${token}`)).toMatch(
      /^401 send the school’s enrollment token as "Authorization: Bearer ste_…"/,
    );
    const revoked = server.db.$client.prepare('select max(id) as id from enrollment_tokens').get() as { id: number };
    await revokeEnrollmentToken(server.store, revoked.id, server.clock(), byTest);
    expect(await refused(`Bearer ${token}`)).toBe(
      '401 this enrollment token was revoked; ask your county office for a new one\n',
    );

    const sums = await officer.get('/agent/SHA256SUMS');
    const listed = sums.text.trim().split('\n');
    expect(listed).toContain(`${sha256(deb)}  ${basename(release.debAmd64)}`);
    expect(listed).toContain(`${sha256(await readFile(release.bundle))}  santong-agent.mjs`);
    expect(listed).toHaveLength(release.installer ? 5 : 4);
  });

  it('gives the enrollment page’s lines with the new token, and its download line runs under curl', async () => {
    await offeringServer();
    const officer = DashboardClient.forUrl(server.url);
    await officer.signIn('county-a');
    await officer.get('/enrollment');
    const created = await officer.post('/enrollment', { schoolCode: '6229210001' });
    expect(created.status).toBe(201);
    const token = /<code class="secret" id="new-token">([^<]+)<\/code>/.exec(created.text)![1]!;
    const deb = basename(release.debAmd64);
    const lines = pre(created.text, 'data-deb="deb-amd64"').split('\n');
    expect(lines).toEqual([
      `curl -fLO -H 'Authorization: Bearer ${token}' ${server.url}/agent/${deb}`,
      `sudo SANTONG_SERVER=${server.url} SANTONG_TOKEN=${token} SANTONG_CLASSROOM=<教室编号> apt-get install -y ./${deb}`,
    ]);
    if (release.installer)
      expect(pre(created.text, 'id="silent-line"')).toBe(
        `santong-agent-setup-win-x64.exe /S /SERVER=${server.url} /TOKEN=${token} /CLASSROOM=<教室编号>`,
      );
    // The arm64 package is not offered: the page says so, with the command that offers it.
    expect(created.text).toContain(
      'data-missing="deb-arm64">本服务器尚未提供 .deb 安装包 arm64（飞腾、鲲鹏）。发布者在发布机上用 santong release sign 签名后，管理员在服务器上运行：santong agent-release offer dist/santong-agent_0.1.0_arm64.deb',
    );

    // The first line as a school PC runs it: the real curl, from a folder of its own (asynchronously: the server
    // answering it runs in this process).
    const pc = await tempDir('santong-pc-');
    try {
      await promisify(execFile)('sh', ['-c', lines[0]!], { cwd: pc.dir });
      expect(sha256(await readFile(join(pc.dir, deb)))).toBe(sha256(await readFile(release.debAmd64)));
    } finally {
      await pc.cleanup();
    }

    // The school page has the same lines with <TOKEN> for the token it cannot show (only hashes are kept).
    const school = await officer.get('/schools/6229210001');
    expect(pre(school.text, 'data-deb="deb-amd64"')).toContain(`SANTONG_TOKEN=<TOKEN> SANTONG_CLASSROOM=<教室编号>`);
  });

  it('cuts a download short when the file is not the signed one, and drops files of a revoked key', async () => {
    await offeringServer();
    const officer = DashboardClient.forUrl(server.url);
    await officer.signIn('bureau');
    const offered = join(agentDownloadDir(server.dataDir), basename(release.debAmd64));
    fs.chmodSync(offered, 0o644);
    const fd = fs.openSync(offered, 'r+');
    fs.writeSync(fd, Buffer.from('X'), 0, 1, 4096);
    fs.closeSync(fd);
    const cookie = [...officer.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const response = await fetch(`${server.url}/agent/${basename(release.debAmd64)}`, { headers: { cookie } });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow();

    await revokeReleaseKey(server.store, key.revocation(), server.clock(), byTest);
    expect((await officer.get(`/agent/${basename(release.linuxX64)}`)).status).toBe(404);
    const page = (await officer.get('/enrollment')).text;
    expect(page).not.toContain(`href="/agent/${basename(release.linuxX64)}"`);
    expect(page).toContain('href="/agent/santong-agent.mjs"');
  });
});

describe('the enrollment page in Chromium', () => {
  let browser: TestBrowser | null = null;
  afterEach(async () => {
    await browser?.close();
    browser = null;
  });

  it(
    'gives a county officer the silent line and the .deb commands with the new token, and the files, in Chinese and English',
    { timeout: 180_000 },
    async () => {
      await offeringServer({ publicUrl: PUBLIC_URL });
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;
      await signIn(page, server.url, 'county-a');
      await page.getByRole('link', { name: '注册令牌' }).click();
      const deb = basename(release.debAmd64);
      // Before any token: the files, each with its SHA-256, for the officer to carry on a USB stick.
      const debRow = page.locator('#agent-files tbody tr').filter({ hasText: deb });
      const debBytes = await readFile(release.debAmd64);
      expect(await debRow.locator('code.digest').textContent()).toBe(sha256(debBytes));

      const create = async (school: string, submit: string) => {
        await page.getByLabel(school === '测试第一小学' ? '学校' : 'School').fill(school);
        await page.getByRole('button', { name: submit }).click();
        return (await page.locator('#new-token').textContent())!;
      };
      const token = await create('测试第一小学', '创建令牌');
      expect(token).toMatch(/^ste_[\w-]{43}$/);
      if (release.installer)
        expect(await page.locator('#silent-line').textContent()).toBe(
          `santong-agent-setup-win-x64.exe /S /SERVER=${PUBLIC_URL} /TOKEN=${token} /CLASSROOM=<教室编号>`,
        );
      expect(await page.locator('pre[data-deb="deb-amd64"]').textContent()).toBe(
        `curl -fLO -H 'Authorization: Bearer ${token}' ${PUBLIC_URL}/agent/${deb}\n` +
          `sudo SANTONG_SERVER=${PUBLIC_URL} SANTONG_TOKEN=${token} SANTONG_CLASSROOM=<教室编号> apt-get install -y ./${deb}`,
      );
      await expect(page.locator('[data-missing="deb-arm64"]').textContent()).resolves.toContain(
        'santong agent-release offer dist/santong-agent_0.1.0_arm64.deb',
      );
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.locator('#agent-files').getByRole('link', { name: deb }).click(),
      ]);
      expect(download.suggestedFilename()).toBe(deb);
      expect(sha256(fs.readFileSync((await download.path())!))).toBe(sha256(debBytes));
      for (const width of [390, 1366]) {
        await page.setViewportSize({ width, height: 800 });
        const found = await auditLayout(page, { english: false, allowedHan: [], fitTables: width >= 1366 });
        expect({ width, ...found }).toEqual({ width, overflow: [], cutTables: [], overlaps: [], han: [] });
      }

      await page.getByRole('link', { name: 'English' }).click();
      await expect.poll(() => page.locator('html').getAttribute('lang')).toBe('en');
      const english = await create('6229210002', 'Create token');
      expect(english).not.toBe(token);
      if (release.installer) {
        expect(await page.locator('#silent-line').textContent()).toBe(
          `santong-agent-setup-win-x64.exe /S /SERVER=${PUBLIC_URL} /TOKEN=${english} /CLASSROOM=<classroom-code>`,
        );
        await expect(page.locator('.install').textContent()).resolves.toContain('group policy computer startup script');
      }
      await expect(page.locator('.install h3').first().textContent()).resolves.toBe(
        'Windows: the installer (recommended)',
      );
      for (const width of [390, 1366]) {
        await page.setViewportSize({ width, height: 800 });
        const found = await auditLayout(page, {
          english: true,
          allowedHan: ['测试教学点', '测试第一小学'],
          fitTables: width >= 1366,
        });
        expect({ width, ...found }).toEqual({ width, overflow: [], cutTables: [], overlaps: [], han: [] });
      }
      fs.mkdirSync(outputDir, { recursive: true });
      await page.screenshot({ path: join(outputDir, 'enrollment-downloads-en.png'), fullPage: true });
      expect(offSite).toEqual([]);
    },
  );
});
