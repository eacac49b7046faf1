import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAgent } from '../agent/agent-process.ts';
import { openTestBrowser, signIn, type TestBrowser } from '../helpers/browser.ts';
import { santong, santongServe } from '../helpers/cli.ts';
import { PASSWORD } from '../helpers/dashboard.ts';

/*
 * Issue 13's "done when", as an operator does it from a clean checkout: a national deployment (root 000000)
 * made by the CLI alone (the roster spans three provinces and four prefectures), served by `santong serve`,
 * real agents enrolling and reporting from schools in two provinces, the API answering every level, `verify`
 * clean, and the bureau drilling down country → province → prefecture → county → school in Chromium.
 * The province deployment is clicked through in test/dashboard/drilldown-browser.test.ts; the Linxia
 * default in test/server/cli.test.ts.
 */
const roster = [
  'code,name,county_code,type_code,urban_rural_code,classroom_count',
  '6229210001,临夏县韩集小学,622921,211,220,6',
  '6201020001,城关区第一小学,620102,211,111,24',
  '6206020001,凉州区测试中学,620602,311,121,18',
  '3501020001,鼓楼区实验小学,350102,211,111,30',
  '1101010001,东城区测试小学,110101,211,111,20',
].join('\n');

const dirs: string[] = [];
let browser: TestBrowser | null = null;
let stopServer: (() => void) | null = null;
afterEach(async () => {
  await browser?.close();
  browser = null;
  stopServer?.();
  stopServer = null;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-national-'));
  dirs.push(dir);
  return dir;
}

/** Runs a CLI command that must succeed and returns its last output line (where tokens are printed). */
async function ok(args: string[], stdin?: string): Promise<string> {
  const run = await santong(args, { stdin });
  expect(run.code, `${args.join(' ')}\n${run.stderr}`).toBe(0);
  return run.stdout.trimEnd().split('\n').at(-1)!;
}

interface Figures {
  code: string;
  level: string;
  schools: { registered: number; connected: number };
}
interface CoverageAnswer {
  division: { code: string; name: string; level: string };
  schools: { registered: number; connected: number };
  children: Figures[];
}

describe('a national deployment from a clean checkout', () => {
  it(
    'imports a roster across provinces, takes real agents’ reports, rolls them up every level, verifies clean and drills down in Chromium',
    { timeout: 240_000 },
    async () => {
      const dataDir = tempDir();
      const rosterFile = path.join(tempDir(), 'roster.csv');
      fs.writeFileSync(rosterFile, `${roster}\n`);

      // The root is chosen once, by the first command; every later command and the server read it from the data.
      await ok(['import-schools', rosterFile, '--root', '000000', '--data-dir', dataDir]);
      const refused = await santong(['verify', '--root', '620000', '--data-dir', dataDir]);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain('000000');
      const apiToken = await ok(['api-token', 'create', '--name', 'ministry', '--data-dir', dataDir]);
      await ok(
        ['user', 'create', '--username', 'ministry', '--role', 'bureau', '--data-dir', dataDir],
        `${PASSWORD}\n`,
      );
      const enrollmentTokens = {
        linxia: await ok(['enrollment-token', 'create', '--school', '6229210001', '--data-dir', dataDir]),
        fuzhou: await ok(['enrollment-token', 'create', '--school', '3501020001', '--data-dir', dataDir]),
      };

      const server = await santongServe(['--data-dir', dataDir]);
      stopServer = () => server.child.kill('SIGTERM');

      // Two classroom PCs, in Gansu and in Fujian: the real agent enrolls and reports, the internet target being
      // the server itself (loopback only).
      for (const [school, token] of [
        ['6229210001', enrollmentTokens.linxia],
        ['3501020001', enrollmentTokens.fuzhou],
      ] as const) {
        const config = path.join(tempDir(), 'agent.json');
        const enrolled = await runAgent([
          'enroll',
          ...['--server', server.url, '--token', token, '--target', `${server.url}/healthz`, '--config', config],
        ]);
        expect(enrolled.code, enrolled.stderr).toBe(0);
        const once = await runAgent(['once', '--config', config]);
        expect(once.code, `${school}: ${once.stderr}`).toBe(0);
      }

      const api = async (route: string) => {
        const response = await fetch(`${server.url}${route}`, { headers: { authorization: `Bearer ${apiToken}` } });
        expect(response.status, route).toBe(200);
        return (await response.json()) as CoverageAnswer;
      };
      const child = (answer: CoverageAnswer, code: string) => answer.children.find((c) => c.code === code)!;

      // Every level answers, and each level's figures are its children's sums.
      const country = await api('/api/v1/coverage');
      expect(country.division).toMatchObject({ code: '000000', level: 'country' });
      expect(country.children).toHaveLength(31);
      expect(country.schools).toMatchObject({ registered: 5, connected: 2 });
      expect(child(country, '620000').schools).toMatchObject({ registered: 3, connected: 1 });
      expect(child(country, '350000').schools).toMatchObject({ registered: 1, connected: 1 });
      expect(child(country, '110000').schools).toMatchObject({ registered: 1, connected: 0 });
      const gansu = await api('/api/v1/coverage?division=620000');
      expect(gansu.division).toMatchObject({ code: '620000', name: '甘肃省', level: 'province' });
      expect(child(gansu, '622900').schools).toMatchObject({ registered: 1, connected: 1 });
      expect(child(gansu, '620100').schools).toMatchObject({ registered: 1, connected: 0 });
      expect(child(gansu, '620600').schools).toMatchObject({ registered: 1, connected: 0 });
      const linxia = await api('/api/v1/coverage?division=622900');
      expect(linxia.division.level).toBe('prefecture');
      expect(child(linxia, '622921').schools).toMatchObject({ registered: 1, connected: 1 });
      for (const answer of [country, gansu, linxia])
        expect(answer.children.reduce((sum, c) => sum + c.schools.connected, 0)).toBe(answer.schools.connected);

      // verify recomputes every level from the raw reports while the server runs.
      const verified = await santong(['verify', '--data-dir', dataDir]);
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toContain('0 differences');

      // The bureau drills down by clicking, from the country to the Linxia school.
      browser = await openTestBrowser(server.url);
      const { page, offSite } = browser;
      await signIn(page, server.url, 'ministry');
      await expect.poll(() => new URL(page.url()).pathname).toBe('/');
      for (const [name, pathname] of [
        ['甘肃省', '/divisions/620000'],
        ['临夏回族自治州', '/divisions/622900'],
        ['临夏县', '/counties/622921'],
        ['临夏县韩集小学', '/schools/6229210001'],
      ] as const) {
        await page.locator('main').getByRole('link', { name, exact: true }).first().click();
        await expect.poll(() => new URL(page.url()).pathname).toBe(pathname);
      }
      expect(await page.locator('main').textContent()).toContain('临夏县韩集小学');
      expect(offSite).toEqual([]);
    },
  );
});
