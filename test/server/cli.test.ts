import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { santong, santongServe } from '../helpers/cli.ts';

const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-cli-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

describe('santong CLI', () => {
  it('serves a fresh data directory with the reference data loaded, and the README walk-through works', async () => {
    const dataDir = tempDir();
    const imported = await santong(['import-schools', 'docs/examples/schools.sample.csv', '--data-dir', dataDir]);
    expect(imported.code).toBe(0);
    const tokenRun = await santong([
      'enrollment-token',
      'create',
      '--school',
      '9901000001',
      '--expires-in',
      '30d',
      '--max-uses',
      '5',
      '--data-dir',
      dataDir,
    ]);
    expect(tokenRun.code).toBe(0);
    const token = tokenRun.stdout.trimEnd().split('\n').at(-1)!;
    expect(token).toMatch(/^ste_[A-Za-z0-9_-]{43}$/);
    const apiToken = (await santong(['api-token', 'create', '--name', 'bureau', '--data-dir', dataDir])).stdout
      .trimEnd()
      .split('\n')
      .at(-1)!;

    const server = await santongServe(['--data-dir', dataDir]);
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const enrolled = await fetch(`${server.url}/api/v1/enroll`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          token,
          hostname: 'ops-1',
          hardware: { uuid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427' },
          classroom: '1',
        }),
      });
      const { deviceKey } = (await enrolled.json()) as { deviceKey: string };
      const report = {
        schemaVersion: 1,
        id: crypto.randomUUID(),
        collectedAt: new Date().toISOString(),
        agentVersion: 'curl',
        network: { internet: { reachable: true, latencyMs: 30 } },
        displays: [{ kind: 'projector' }],
      };
      const sent = await fetch(`${server.url}/api/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${deviceKey}` },
        body: JSON.stringify({ reports: [report] }),
      });
      expect(sent.status).toBe(200);
      const coverage = (await (
        await fetch(`${server.url}/api/v1/coverage`, { headers: { authorization: `Bearer ${apiToken}` } })
      ).json()) as any;
      expect(coverage.prefecture).toEqual({ code: '622900', name: '临夏回族自治州' });
      expect(coverage.counties).toHaveLength(8);
      expect(coverage.schools).toMatchObject({ target: 1492, registered: 10, connected: 1 });
      expect(coverage.classrooms.equipped).toBe(1);
      expect(server.output()).not.toContain(deviceKey);
      expect(server.output()).not.toContain(token);
    } finally {
      server.child.kill('SIGTERM');
      await once(server.child, 'exit');
    }
    expect(fs.existsSync(path.join(dataDir, 'santong.sqlite'))).toBe(true);
  });

  it('refuses a bad setting with a message naming it', async () => {
    const run = await santong(['serve', '--port', '99999', '--data-dir', tempDir()]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('port: PORT must be 0–65535');
  });

  it('loads another prefecture’s plan and counties into a fresh data directory, never over registered schools, and reports every bad field', async () => {
    const dataDir = tempDir();
    const planFile = path.join(dataDir, 'plan.json');
    fs.writeFileSync(
      planFile,
      JSON.stringify({
        name: 'x',
        startYear: 2020,
        endYear: 2019,
        prefecture: { code: '62290', name: '' },
        counties: [],
      }),
    );
    const bad = await santong(['plan', 'import', planFile, '--data-dir', dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('root.code: a 6-digit administrative division code');
    expect(bad.stderr).toContain('indicators: ');

    const linxia = JSON.parse(fs.readFileSync('server/plan/linxia-2015-2020.json', 'utf8'));
    const gannan = {
      ...linxia,
      name: '甘南州规划',
      prefecture: { code: '623000', name: '甘南藏族自治州' },
      counties: [{ code: '623001', name: '合作市' }],
    };
    fs.writeFileSync(planFile, JSON.stringify(gannan));
    const fresh = await santong(['plan', 'import', planFile, '--data-dir', dataDir]);
    expect(fresh.code).toBe(0);
    expect(fresh.stdout).toContain('imported for 623000 甘南藏族自治州');
    // The tree is the reference's subtree of the root: all eight of Gannan's counties, not only the one named.
    const verify = await santong(['verify', '--data-dir', dataDir]);
    expect(verify.stdout).toContain('0 schools, 0 classrooms, 0 devices, 9 divisions: 0 differences');

    const linxiaDir = tempDir();
    expect((await santong(['import-schools', 'docs/examples/schools.sample.csv', '--data-dir', linxiaDir])).code).toBe(
      0,
    );
    const intoLinxia = await santong(['plan', 'import', planFile, '--data-dir', linxiaDir]);
    expect(intoLinxia.code).toBe(1);
    expect(intoLinxia.stderr).toContain(
      'this database tracks 622900 (临夏回族自治州); a plan for 623000 needs its own data directory',
    );
  });

  it('prints every bad roster row and imports nothing', async () => {
    const dataDir = tempDir();
    const roster = path.join(dataDir, 'roster.csv');
    fs.writeFileSync(
      roster,
      'code,name,county_code,type_code,urban_rural_code,classroom_count\n1,甲校,622921,211,121,2\n2,乙校,999999,211,121,2\n3,丙校,622921,219,121,2\n',
    );
    const run = await santong(['import-schools', roster, '--data-dir', dataDir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^line 3: county_code: /m);
    expect(run.stderr).toMatch(/^line 4: type_code: /m);
    const token = await santong(['enrollment-token', 'create', '--school', '1', '--data-dir', dataDir]);
    expect(token.code).toBe(1);
    expect(token.stderr).toContain('no school with code 1');
  });
});
