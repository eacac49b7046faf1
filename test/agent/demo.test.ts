import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type Demo } from '../../agent/demo/main.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { signIn } from '../../server/accounts/login.ts';
import { demoDisplays } from '../../agent/demo/classroom-displays.ts';
import { demoDisplayProfiles } from '../../server/demo/world.ts';
import { tempDir } from './report-fixture.ts';
import { defaultRequestLimits } from '../../server/config.ts';
import type { SnapshotFigures } from '../../server/programme/history.ts';
import { DAY_MS, endOfLocalDay, localDay } from '../../shared/time/china-time.ts';

/** A reduced demo (60 schools, ~360 classrooms): same world, seeding, server process and fleet as `npm run demo`. */
let demo: Demo;
let dir: string;
let cleanup: () => Promise<void>;
/** The prefecture's figures the moment the demo is up (its fleet's first round only just started). */
let atStart: Coverage;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  process.env.SANTONG_AGENT_QUIET = '1';
  ({ dir, cleanup } = await tempDir('santong-demo-'));
  demo = await runDemo({ dataDir: dir, port: await freePort(), schools: 60 });
  atStart = await api<Coverage>('/api/v1/coverage');
  await demo.firstRound;
}, 60_000);
afterAll(async () => {
  await demo?.stop();
  await cleanup();
});

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${demo.url}${path}`, { headers: { authorization: `Bearer ${demo.apiToken}` } });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

type Coverage = {
  schools: { registered: number; connected: number; meetingStandard: number };
  classrooms: {
    registered: number;
    equipped: number;
    equippedBy: { projector: number; interactivePanel: number; largeDisplay: number };
  };
  devices: { enrolled: number; live: number; atRisk: number; silent: number; never: number };
  counties: { code: string; schools: { registered: number } }[];
};

describe('npm run demo (reduced)', () => {
  it('lets the README’s demo accounts sign in with the documented password', async () => {
    const db = openDatabase(dir);
    try {
      for (const username of ['demo-bureau', 'demo-county', 'demo-school']) {
        const { user } = await signIn(
          sqliteStore(db),
          { username, password: 'santong-demo', address: '127.0.0.1' },
          Date.now(),
        );
        expect(user.username).toBe(username);
      }
    } finally {
      db.$client.close();
    }
  });

  it('shows a realistic prefecture in /api/v1/coverage after the fleet’s first round', async () => {
    const res = await fetch(`${demo.url}/api/v1/coverage`, { headers: { authorization: `Bearer ${demo.apiToken}` } });
    expect(res.status).toBe(200);
    const c = (await res.json()) as Coverage;
    expect(c.counties.map((k) => k.code)).toEqual([
      '622901',
      '622921',
      '622922',
      '622923',
      '622924',
      '622925',
      '622926',
      '622927',
    ]);
    expect(c.counties.every((k) => k.schools.registered >= 1)).toBe(true);
    expect(c.schools.registered).toBe(60);
    expect(c.classrooms.registered).toBe(Math.round((8926 * 60) / 1492));
    // Most schools connected, some not; of those, most but not all at the bandwidth standard.
    expect(c.schools.connected / c.schools.registered).toBeGreaterThan(0.8);
    expect(c.schools.connected).toBeLessThan(c.schools.registered);
    expect(c.schools.meetingStandard / c.schools.connected).toBeGreaterThan(0.5);
    expect(c.schools.meetingStandard).toBeLessThan(c.schools.connected);
    expect(c.classrooms.equipped / c.classrooms.registered).toBeGreaterThan(0.7);
    expect(c.classrooms.equipped / c.classrooms.registered).toBeLessThan(0.97);
    // Every live PC delivered through its outbox; the quiet ones show as at risk and silent.
    expect(c.devices.live).toBe(demo.fleet.daemons.length);
    expect(c.devices.atRisk + c.devices.silent).toBeGreaterThan(0);
    expect(c.devices.never).toBe(0);
    expect(await demo.fleet.queued()).toBe(0);
  });

  it('is clearly demo data, and its stored figures match a recomputation from the raw reports', async () => {
    const db = openDatabase(dir);
    try {
      const names = db.$client
        .prepare("select count(*) as n from schools where name not like '%（演示）' or code not like '99%'")
        .get() as { n: number };
      expect(names.n).toBe(0);
      expect((await verifyCoverage(sqliteStore(db), Date.now())).differences).toEqual([]);
    } finally {
      db.$client.close();
    }
  });

  it('runs every kind of classroom display through the agent’s EDID parser and classifier, and counts the kinds apart', async () => {
    const db = openDatabase(dir);
    try {
      const models = db.$client
        .prepare(
          "select distinct json_extract(d.value, '$.model') as model, json_extract(d.value, '$.kind') as kind from reports, json_each(report_json(reports.body), '$.displays') d",
        )
        .all() as { model: string; kind: string }[];
      // Projectors with no fixed size, branded and generic-scaler panels (with the touch frame), TVs, desk monitors:
      // each reported as the classifier judges its EDID bytes, not as the demo says it is.
      const expected = demoDisplayProfiles
        .flatMap((profile) => demoDisplays(profile))
        .map((d) => ({ model: d.model!, kind: d.kind }));
      expect(expected.map((d) => d.model)).toEqual([
        'EPSON PJ',
        'BenQ MS560',
        'seewo F86EB',
        'HiteVision',
        'CVTE TV',
        'MStar Demo',
        'SAMSUNG',
        'DELL P2419H',
      ]);
      expect(new Set(models.map((m) => `${m.model}: ${m.kind}`))).toEqual(
        new Set(expected.map((d) => `${d.model}: ${d.kind}`)),
      );
      // What each really is: the generic-scaler classroom panels are found by size and the touch frame, the TV by its name.
      expect(expected.map((d) => d.kind)).toEqual([
        'projector',
        'projector',
        'interactive-panel',
        'interactive-panel',
        'interactive-panel',
        'interactive-panel',
        'large-display',
        'monitor',
      ]);
    } finally {
      db.$client.close();
    }
    const c = (await (
      await fetch(`${demo.url}/api/v1/coverage`, { headers: { authorization: `Bearer ${demo.apiToken}` } })
    ).json()) as Coverage;
    expect(c.classrooms.equippedBy.projector).toBeGreaterThan(0);
    expect(c.classrooms.equippedBy.interactivePanel).toBeGreaterThan(0);
    expect(c.classrooms.equippedBy.largeDisplay).toBeGreaterThan(0);
    const { projector, interactivePanel, largeDisplay } = c.classrooms.equippedBy;
    expect(projector + interactivePanel + largeDisplay).toBe(c.classrooms.equipped);
  });
});

describe('npm run demo (reduced): the first minute', () => {
  it('has its figures at their steady level from the first request: the fleet’s rounds change none of them', async () => {
    const steady = (c: Coverage) => ({
      connected: c.schools.connected,
      meetingStandard: c.schools.meetingStandard,
      equipped: c.classrooms.equipped,
      devices: c.devices,
    });
    const afterFirst = await api<Coverage>('/api/v1/coverage');
    expect(steady(afterFirst)).toEqual(steady(atStart));
    expect(atStart.devices.live).toBe(demo.fleet.daemons.length);
    await demo.fleet.tickAll();
    expect(steady(await api<Coverage>('/api/v1/coverage'))).toEqual(steady(atStart));
  });

  it('shows a programme in progress: years of daily history, declarations, teacher spaces and probed platforms', async () => {
    const { series } = await api<{ series: { day: string; figures: SnapshotFigures }[] }>(
      '/api/v1/history?division=622900',
    );
    const yesterday = localDay(Date.now() - DAY_MS);
    expect(series[0]!.day).toBe('2015-01-01');
    expect(series.at(-1)!.day).toBe(yesterday);
    // One snapshot a day, none missing: the plan's first day to yesterday.
    const days = Math.round((endOfLocalDay(yesterday) - endOfLocalDay('2015-01-01')) / DAY_MS) + 1;
    expect(series.length).toBe(days);
    expect(days).toBeGreaterThan(10 * 365);
    // A rollout: far fewer connected schools in 2015 than now, and the line ends where today's figures are.
    const live = await api<Coverage>('/api/v1/coverage');
    const last = series.at(-1)!.figures;
    expect(series[0]!.figures.schools.connected).toBeLessThan(0.6 * live.schools.connected);
    expect(Math.abs(last.schools.connected - live.schools.connected)).toBeLessThanOrEqual(1);
    expect(Math.abs(last.classrooms.equipped - live.classrooms.equipped)).toBeLessThanOrEqual(3);

    const conflicts = await api<{ declarations: unknown[] }>('/api/v1/declarations?conflict=true');
    const declared = await api<{ declarations: { indicator: string }[] }>('/api/v1/declarations');
    expect(conflicts.declarations.length).toBeGreaterThan(0);
    expect(declared.declarations.some((d) => d.indicator === 'equipped')).toBe(true);

    const spaces = await api<{ teachers: number; opened: number; verified: number; schoolsDeclared: number }>(
      '/api/v1/teacher-spaces',
    );
    expect(spaces.schoolsDeclared).toBeGreaterThan(50);
    expect(spaces.opened).toBeGreaterThan(0);
    expect(spaces.verified).toBeLessThanOrEqual(spaces.opened);

    type Level = { level: string; units: number; resource: { declaredBuilt: number; reachable: number } };
    const platforms = await api<{ levels: Level[] }>('/api/v1/platforms/coverage');
    for (const level of platforms.levels) {
      expect(level.units, level.level).toBeGreaterThan(0);
      expect(level.resource.declaredBuilt, level.level).toBeGreaterThan(0);
      expect(level.resource.reachable, level.level).toBeGreaterThan(0);
    }
    // The demo-school account's school has a month of its PCs' reports behind its bandwidth chart.
    const school = demo.users.find((u) => u.role === 'school')!.scope.split(' ')[1]!;
    const db = openDatabase(dir);
    try {
      const { days } = db.$client
        .prepare(
          "select count(distinct date(r.collected_at / 1000, 'unixepoch')) as days from reports r join devices d on d.id = r.device_id where d.school_code = ?",
        )
        .get(school) as { days: number };
      expect(days).toBeGreaterThanOrEqual(30);
    } finally {
      db.$client.close();
    }
    // The county platform that is down now: declared built, not reachable.
    const county = platforms.levels.find((l) => l.level === 'county')!;
    expect(county.resource.reachable).toBeLessThan(county.resource.declaredBuilt);
  });

  it('refuses none of the fleet’s reports, and admits more than the production budget from its one address', async () => {
    expect(demo.refused()).toBe(0);
    expect(demo.reportsPerAddressPerMinute).toBeGreaterThanOrEqual(
      defaultRequestLimits.reportsPerIpPerMinute + 2 * demo.fleet.daemons.length,
    );
    // Past the production default within a minute from 127.0.0.1, as the full fleet's first round is:
    // the demo server answers each (401: made-up keys), none with 429.
    const statuses = new Map<number, number>();
    let sent = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (sent++ < defaultRequestLimits.reportsPerIpPerMinute + 100) {
          const res = await fetch(`${demo.url}/api/v1/reports`, {
            method: 'POST',
            headers: { authorization: `Bearer std_made-up-${sent}`, 'content-type': 'application/json' },
            body: '{"reports":[]}',
          });
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        }
      }),
    );
    expect(statuses.get(429)).toBeUndefined();
    expect(statuses.get(401)).toBe(defaultRequestLimits.reportsPerIpPerMinute + 100);
  }, 30_000);
});
