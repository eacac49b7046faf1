import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type Demo } from '../../agent/demo/main.ts';
import { verifyCoverage } from '../../server/coverage/verify.ts';
import { openDatabase } from '../../server/db/client.ts';
import { signIn } from '../../server/accounts/login.ts';
import { demoDisplays } from '../../agent/demo/classroom-displays.ts';
import { demoDisplayProfiles } from '../../server/demo/world.ts';
import { tempDir } from './report-fixture.ts';

/** A reduced demo (60 schools, ~360 classrooms): same world, seeding, server process and fleet as `npm run demo`. */
let demo: Demo;
let dir: string;
let cleanup: () => Promise<void>;

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
  await demo.firstRound;
}, 60_000);
afterAll(async () => {
  await demo?.stop();
  await cleanup();
});

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
        const { user } = await signIn(db, { username, password: 'santong-demo', address: '127.0.0.1' }, Date.now());
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

  it('is clearly demo data, and its stored figures match a recomputation from the raw reports', () => {
    const db = openDatabase(dir);
    try {
      const names = db.$client
        .prepare("select count(*) as n from schools where name not like '%（演示）' or code not like '99%'")
        .get() as { n: number };
      expect(names.n).toBe(0);
      expect(verifyCoverage(db, Date.now()).differences).toEqual([]);
    } finally {
      db.$client.close();
    }
  });

  it('runs every kind of classroom display through the agent’s EDID parser and classifier, and counts the kinds apart', async () => {
    const db = openDatabase(dir);
    try {
      const models = db.$client
        .prepare(
          "select distinct json_extract(d.value, '$.model') as model, json_extract(d.value, '$.kind') as kind from reports, json_each(reports.body, '$.displays') d",
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
