import { buildDeb } from '../../agent/package/deb.ts';
import { debName } from '../../shared/release-artifacts.ts';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { openDatabase } from '../../server/db/client.ts';
import { openStore } from '../../server/db/store.ts';
import { auditLog } from '../../server/db/schema.ts';
import { repoRoot, santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReleaseKey } from '../helpers/release-keys.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';
import { enrollDevice } from '../../server/enrollment/enroll.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';

/*
 * Issue 5: every mutation path writes to the audit log. Both lists are taken from the code itself (the
 * API's route docs, the CLI's command switch), so a new mutating route or command fails here until it
 * is audited and added.
 */
let ctx: TestContext | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await ctx?.cleanup();
  ctx = undefined;
  dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const auditCount = (db: TestContext['db']) =>
  db
    .select({ n: sql<number>`count(*)` })
    .from(auditLog)
    .get()!.n;

/** Writes that record evidence or measurements, not changes a person makes: not audited, by design. */
const evidenceRoutes = new Set([
  'post /api/v1/reports',
  'post /api/v1/speedtest/slot',
  'post /api/v1/speedtest/upload',
]);

describe('audit of every mutation path', () => {
  it('writes an audit entry from every mutating API route', async () => {
    ctx = await createTestContext({ clock: testClock('2027-03-01T02:00:00Z') });
    const token = await ctx.apiToken();
    const c = ctx;
    const requests: Record<string, () => Promise<{ status: number }>> = {
      'post /api/v1/enroll': async () =>
        requestJson(c.app, 'POST', '/api/v1/enroll', {
          body: { token: await c.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
        }),
      'post /api/v1/declarations': () =>
        requestJson(c.app, 'POST', '/api/v1/declarations', {
          bearer: token,
          body: { schoolCode: '6229210002', indicator: 'connected', reason: 'fibre, no PC yet' },
        }),
      'post /api/v1/declarations/:id/withdraw': () =>
        requestJson(c.app, 'POST', '/api/v1/declarations/1/withdraw', {
          bearer: token,
          body: { reason: 'typed in error' },
        }),
      'post /api/v1/closures': () =>
        requestJson(c.app, 'POST', '/api/v1/closures', {
          bearer: token,
          body: { name: '寒假', startsOn: '2027-01-15', endsOn: '2027-02-25', reason: 'calendar' },
        }),
      'post /api/v1/closures/:id/remove': () =>
        requestJson(c.app, 'POST', '/api/v1/closures/1/remove', { bearer: token, body: { reason: 'wrong dates' } }),
      'post /api/v1/inspections': () =>
        requestJson(c.app, 'POST', '/api/v1/inspections', { bearer: token, body: { perCounty: 2, seed: 's' } }),
      'post /api/v1/inspections/:id/results': () =>
        requestJson(c.app, 'POST', '/api/v1/inspections/1/results', {
          bearer: token,
          body: { schoolCode: '6229210001', result: 'confirmed' },
        }),
      'put /api/v1/schools/:code/teacher-spaces': () =>
        requestJson(c.app, 'PUT', '/api/v1/schools/6229210001/teacher-spaces', {
          bearer: token,
          body: { teachers: 10, spacesOpened: 5, spacesVerified: 1, reason: 'operator export' },
        }),
      'post /api/v1/platforms': () =>
        requestJson(c.app, 'POST', '/api/v1/platforms', {
          bearer: token,
          body: {
            kind: 'resource',
            level: 'prefecture',
            ownerCode: '622900',
            name: '州资源平台',
            url: 'http://127.0.0.1:9/',
            builtOn: '2017-10-01',
            reason: 'letter',
          },
        }),
      'patch /api/v1/platforms/:id': () =>
        requestJson(c.app, 'PATCH', '/api/v1/platforms/1', {
          bearer: token,
          body: { name: '州教育资源平台', reason: 'renamed' },
        }),
      'delete /api/v1/platforms/:id': () =>
        requestJson(c.app, 'DELETE', '/api/v1/platforms/1?reason=decommissioned', { bearer: token }),
    };
    const mutating = routeDocs
      .filter((d) => d.method !== 'get')
      .map((d) => `${d.method} ${d.path}`)
      .filter((r) => !evidenceRoutes.has(r));
    expect(new Set(Object.keys(requests))).toEqual(new Set(mutating));
    for (const route of mutating) {
      const before = auditCount(ctx.db);
      const response = await requests[route]!();
      expect(response.status, route).toBeLessThan(300);
      expect(auditCount(ctx.db), route).toBeGreaterThan(before);
    }
  });

  it('writes an audit entry from every mutating command', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-audit-'));
    dirs.push(dataDir);
    const bundle = path.join(dataDir, 'agent.mjs');
    fs.writeFileSync(bundle, '// santong-agent 1.2.3\n');
    const releaseKey = makeReleaseKey();
    fs.writeFileSync(`${bundle}.sig`, JSON.stringify(releaseKey.sign(fs.readFileSync(bundle))));
    // A .deb from the real build function around a stand-in executable: what is audited is the offer (decision 183).
    const deb = path.join(dataDir, debName('1.2.3', 'amd64'));
    buildDeb({ executable: bundle, arch: 'amd64', version: '1.2.3', outfile: deb, fast: true });
    fs.writeFileSync(`${deb}.sig`, JSON.stringify(releaseKey.sign(fs.readFileSync(deb))));
    const revocation = path.join(dataDir, 'revocation.json');
    fs.writeFileSync(revocation, JSON.stringify(releaseKey.revocation()));
    /** A release private key in the database, as servers before issue 11 kept one. */
    const legacyKey = () => {
      const db = openDatabase(dataDir);
      const legacy = generateKeyPairSync('ed25519');
      const publicKey = legacy.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
      db.$client
        .prepare('insert into signing_keys (public_key, private_key, created_at) values (?, ?, ?)')
        .run(publicKey, legacy.privateKey.export({ type: 'pkcs8', format: 'pem' }), Date.now());
      db.$client.close();
      return ['release-key', 'export-legacy', '--out', path.join(dataDir, 'legacy.key')];
    };
    const plan = path.join(dataDir, 'plan.json');
    fs.writeFileSync(plan, fs.readFileSync(path.join(repoRoot, 'server/plan/linxia-2015-2020.json')));
    /** A device to revoke, enrolled through the domain function on the same data directory. */
    const enrolledDevice = async () => {
      const store = await openStore({ dataDir });
      try {
        const { token } = await createEnrollmentToken(
          store,
          { schoolCode: '9901000001', expiresAt: null, maxUses: null },
          Date.now(),
          byTest,
        );
        return (await enrollDevice(store, { token, hostname: 'pc', hardware: {} }, Date.now())).deviceId;
      } finally {
        await store.close();
      }
    };
    const mutating: Record<string, string[] | (() => string[] | Promise<string[]>)> = {
      'plan import': ['plan', 'import', plan],
      'import-schools': ['import-schools', 'docs/examples/schools.sample.csv'],
      'import-teacher-spaces': ['import-teacher-spaces', 'docs/examples/teacher-spaces.sample.csv'],
      // The shipped edition over itself: nothing moves, and the update is still on record.
      'divisions update': ['divisions', 'update', 'server/divisions/gb2260.tsv'],
      'platform add': [
        'platform',
        'add',
        '--kind',
        'resource',
        '--level',
        'prefecture',
        '--owner',
        '622900',
        '--name',
        'p',
        '--url',
        'http://127.0.0.1:9/',
      ],
      'platform update': ['platform', 'update', '--id', '1', '--name', 'q'],
      'platform remove': ['platform', 'remove', '--id', '1'],
      'enrollment-token create': ['enrollment-token', 'create', '--school', '9901000001'],
      'enrollment-token revoke': ['enrollment-token', 'revoke', '--id', '1'],
      'api-token create': ['api-token', 'create', '--name', 'n'],
      'api-token revoke': ['api-token', 'revoke', '--id', '1'],
      'release-key add': ['release-key', 'add', releaseKey.publicKey],
      'agent-release publish': ['agent-release', 'publish', bundle],
      'agent-release offer': ['agent-release', 'offer', deb],
      'release-key revoke': ['release-key', 'revoke', '--statement', revocation],
      'release-key export-legacy': legacyKey,
      'closure add': [
        'closure',
        'add',
        '--name',
        '暑假',
        '--from',
        '2027-07-10',
        '--to',
        '2027-08-31',
        '--reason',
        'summer',
      ],
      'closure remove': ['closure', 'remove', '--id', '1'],
      'declaration add': [
        'declaration',
        'add',
        '--school',
        '9901000001',
        '--indicator',
        'connected',
        '--reason',
        'fibre',
      ],
      'declaration withdraw': ['declaration', 'withdraw', '--id', '1'],
      'inspection sample': ['inspection', 'sample', '--per-county', '1', '--seed', 's'],
      'user create': ['user', 'create', '--username', 'wang', '--role', 'bureau'],
      'device revoke': async () => ['device', 'revoke', '--id', await enrolledDevice()],
    };
    // Commands that change nothing a person answers for (reads, measurements, copies).
    const readOnly = [
      'serve',
      'platform list',
      'platform probe',
      'verify',
      'backup',
      'migrate-to-postgres',
      'closure list',
      'declaration list',
      'inspection checklist',
      'release-key list',
    ];
    // The release holder's own machine: no database at all.
    const offline = ['release keygen', 'release sign', 'release endorse', 'release revoke'];
    // Every line of cli.ts's command table: `  'plan import': planImport,` (cli.ts runs when imported).
    const commands = [
      ...fs
        .readFileSync(path.join(repoRoot, 'server/cli.ts'), 'utf8')
        .matchAll(/^ {2}'?([a-z-]+(?: [a-z-]+)?)'?: \w+,$/gm),
    ].map((m) => m[1]!);
    expect(new Set(commands)).toEqual(new Set([...Object.keys(mutating), ...readOnly, ...offline]));

    for (const [command, argsOf] of Object.entries(mutating)) {
      const args = typeof argsOf === 'function' ? await argsOf() : argsOf;
      const db = fs.existsSync(path.join(dataDir, 'santong.sqlite')) ? openDatabase(dataDir) : null;
      const before = db ? auditCount(db) : 0;
      db?.$client.close();
      const run = await santong([...args, '--data-dir', dataDir], { stdin: 'a long enough passphrase\n' });
      expect(run.code, `${command}: ${run.stderr}`).toBe(0);
      const after = openDatabase(dataDir);
      expect(auditCount(after), command).toBeGreaterThan(before);
      after.$client.close();
    }
  }, 240_000);
});
