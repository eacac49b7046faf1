import { afterEach, describe, expect, it } from 'vitest';
import { reportSchema } from '../../shared/schemas/report.ts';
import { reports } from '../../server/db/schema.ts';
import { GroupCommitter } from '../../server/ingest/group-commit.ts';
import { makeReport } from '../helpers/reports.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
afterEach(async () => server?.close());

async function enroll(school: string) {
  const response = await fetch(`${server.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      token: await server.enrollmentToken(school),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
    }),
  });
  return (await response.json()) as { deviceId: string; deviceKey: string };
}

describe('group commit', () => {
  it('commits concurrent batches from many devices together and answers each with its own result', async () => {
    server = await startTestServer();
    const devices = await Promise.all(['6229210001', '6229210002', '6229220001', '6229210001'].map(enroll));
    const shared = makeReport({ at: Date.now() });
    const answers = await Promise.all(
      devices.map((d, i) =>
        fetch(`${server.url}/api/v1/reports`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${d.deviceKey}` },
          // Device 0 sends one report twice in its batch; the others send three fresh ones.
          body: JSON.stringify({
            reports: i === 0 ? [shared, shared] : [0, 1, 2].map(() => makeReport({ at: Date.now(), downMbps: 90 })),
          }),
        }).then(async (r) => ({ status: r.status, body: await r.json() })),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(answers.map((a) => a.body)).toEqual([
      { accepted: 1, duplicates: 1, clamped: 0 },
      { accepted: 3, duplicates: 0, clamped: 0 },
      { accepted: 3, duplicates: 0, clamped: 0 },
      { accepted: 3, duplicates: 0, clamped: 0 },
    ]);
    expect(server.db.select().from(reports).all()).toHaveLength(10);
    const coverage = await (
      await fetch(`${server.url}/api/v1/coverage`, { headers: { authorization: `Bearer ${await server.apiToken()}` } })
    ).json();
    expect((coverage as { schools: { connected: number } }).schools.connected).toBe(3);
  });

  it('isolates a batch that cannot be stored: its neighbours in the group still commit', async () => {
    server = await startTestServer();
    const good = await enroll('6229210001');
    const committer = new GroupCommitter(server.store);
    const now = Date.now();
    const batch = () => [reportSchema.parse(makeReport({ at: now }))];
    const results = await Promise.allSettled([
      committer.submit({ id: good.deviceId, schoolCode: '6229210001' }, batch(), now),
      // No such device: the foreign key refuses its reports, which fails the whole group's transaction.
      committer.submit({ id: 'no-such-device', schoolCode: '6229210001' }, batch(), now),
      committer.submit({ id: good.deviceId, schoolCode: '6229210001' }, batch(), now),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(
      server.db
        .select()
        .from(reports)
        .all()
        .map((r) => r.deviceId),
    ).toEqual([good.deviceId, good.deviceId]);
  });
});
