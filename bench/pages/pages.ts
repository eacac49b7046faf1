import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { createUser } from '../../server/accounts/users.ts';
import { createApp } from '../../server/app.ts';
import { defaultRequestLimits } from '../../server/config.ts';
import { openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { createEnrollmentToken } from '../../server/enrollment/tokens.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { importSchools } from '../../server/registry/import-schools.ts';
import { REPORT_SCHEMA_VERSION } from '../../shared/schemas/report.ts';
import { linxiaSchools } from '../../server/demo/linxia-counties.ts';
import { pagesBesideIngest } from './beside-ingest.ts';
import { sessionCookie, type Requester } from './sign-in.ts';

/*
 * Server time of each dashboard page on a prefecture-sized data set: Linxia's 1,492 schools (spread over its
 * counties as in the demo and the server benchmark) with six classrooms each, a classroom PC at 1,300 of them
 * (1,100 reporting, 200 silent), five reports each.
 * Data goes in through the real enroll and report routes; pages are requested in-process (no socket),
 * so the figure is the server's own time: routing, the aging sweep, reads and rendering.
 * Then the overview and county pages over a socket, alone and beside full ingest (./beside-ingest.ts).
 *   npm run bench:pages          (prints two Markdown tables for BENCHMARKS.md)
 */
const RUNS = Number(process.env.RUNS ?? 20);
const DAY = 86_400_000;
const audit = { actor: 'bench', reason: 'benchmark data' };

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-bench-'));
const db = openDatabase(dataDir);
const store = sqliteStore(db);
const now = Date.now();
await ensureReferenceData(store, now);
const roster = linxiaSchools.flatMap(([county, n]) =>
  Array.from({ length: n }, (_, i) => ({
    code: `${county}${String(i + 1).padStart(4, '0')}`,
    name: `${county.slice(4)}县第${i + 1}学校`,
    county_code: county,
    type_code: i % 7 === 0 ? '218' : i % 5 === 0 ? '311' : '211',
    urban_rural_code: i % 4 === 0 ? '121' : '220',
    classroom_count: 6,
    township: `乡镇${(i % 15) + 1}`,
  })),
);
const imported = await importSchools(
  sqliteStore(db),
  roster.map((cells, i) => ({ line: i + 2, cells })),
  now,
  audit,
);
if (imported.errors.length > 0) throw new Error(JSON.stringify(imported.errors.slice(0, 3)));
// A prefecture's enrollments and reports come from this one process: the per-address limits, made for a
// school's NAT, would refuse most of them (the pages are what is measured here, not the limits).
const limits = {
  ...defaultRequestLimits,
  enrollPerIpPerMinute: 1e6,
  reportsPerIpPerMinute: 1e6,
  loginPerIpPerMinute: 1e6,
};
const app = createApp({
  store,
  logger: pino({ level: 'silent' }),
  clock: () => now,
  maxReportBodyBytes: 4 * 1024 * 1024,
  limits,
});

const post = async (url: string, body: unknown, key?: string) => {
  const response = await app.request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return response.json() as Promise<{ deviceKey: string }>;
};
const started = performance.now();
for (const [i, school] of roster.slice(0, 1300).entries()) {
  const { token } = await createEnrollmentToken(
    store,
    { schoolCode: school.code, expiresAt: null, maxUses: null },
    now,
    audit,
  );
  const { deviceKey } = await post('/api/v1/enroll', {
    token,
    hostname: `pc-${school.code}`,
    hardware: { uuid: randomUUID() },
    classroom: '1',
  });
  const last = i < 1100 ? now - 3_600_000 : now - 20 * DAY;
  const reports = Array.from({ length: 5 }, (_, k) => ({
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: randomUUID(),
    collectedAt: new Date(last - k * DAY).toISOString(),
    agentVersion: '0.1.0',
    network: {
      interfaces: [],
      internet: { reachable: true, latencyMs: 20, targets: [] },
      throughput: { downMbps: 20 + ((i * 7 + k * 13) % 150), upMbps: 10 },
    },
    displays: i % 3 === 0 ? [] : [{ kind: 'projector', vendor: 'EPS', model: 'EB-X41', connection: 'HDMI' }],
  }));
  await post('/api/v1/reports', { reports }, deviceKey);
}
const seeded = performance.now() - started;

const password = 'benchmark password';
await createUser(store, { username: 'bureau', password, role: 'bureau' }, now, audit);
await createUser(store, { username: 'county', password, role: 'county', divisionCode: '622926' }, now, audit);

const request: Requester = async (url, init) => app.request(url, init);
const sessions = {
  bureau: await sessionCookie(request, 'bureau', password),
  county: await sessionCookie(request, 'county', password),
};

const pages: [string, keyof typeof sessions, string][] = [
  ['prefecture overview', 'bureau', '/'],
  ['overview sorted by connected', 'bureau', '/?sort=connected&dir=desc'],
  ['county page (300 schools, first 100)', 'county', '/counties/622926'],
  ['county page, unconnected filter', 'county', '/counties/622926?connected=false'],
  ['county schools CSV (300 rows)', 'county', '/counties/622926/schools.csv'],
  ['county schools XLSX (300 rows)', 'county', '/counties/622926/schools.xlsx'],
  ['school page', 'county', '/schools/6229260001'],
  ['devices page (county)', 'county', '/devices'],
  ['devices page (prefecture, 200 silent)', 'bureau', '/devices'],
  ['enrollment page (county)', 'county', '/enrollment'],
  ['enrollment page (prefecture, 1,492 schools)', 'bureau', '/enrollment'],
];

const lines = ['| page | as | median ms | p95 ms | bytes |', '|---|---|---:|---:|---:|'];
for (const [label, who, url] of pages) {
  const times: number[] = [];
  let bytes = 0;
  for (let run = 0; run < RUNS + 2; run++) {
    const t0 = performance.now();
    const response = await app.request(url, { headers: { cookie: sessions[who] } });
    const body = await response.arrayBuffer();
    const elapsed = performance.now() - t0;
    if (response.status !== 200) throw new Error(`${url}: ${response.status}`);
    if (run >= 2) times.push(elapsed); // two warm-up runs
    bytes = body.byteLength;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))]!.toFixed(1);
  lines.push(`| ${label} | ${who} | ${at(0.5)} | ${at(0.95)} | ${bytes.toLocaleString('en')} |`);
}
console.log(
  `data: ${roster.length} schools, ${roster.length * 6} classrooms, 1,300 devices, 6,500 reports (seeded in ${(seeded / 1000).toFixed(1)} s); ${RUNS} runs per page, Node ${process.version}\n`,
);
console.log(lines.join('\n'));
db.$client.close();
fs.rmSync(dataDir, { recursive: true, force: true });

console.log(`\n${await pagesBesideIngest()}`);
process.exit(0);
