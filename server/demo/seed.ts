import { randomUUID } from 'node:crypto';
import type { Report, ReportInput } from '../../shared/schemas/report.ts';
import { createUser } from '../accounts/users.ts';
import type { AuditSource } from '../audit/audit.ts';
import { createApiToken } from '../auth/api-tokens.ts';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';
import type { Store } from '../db/store.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { createEnrollmentToken, type NewEnrollmentToken } from '../enrollment/tokens.ts';
import { storeBatch } from '../ingest/reports.ts';
import { importSchools } from '../registry/import-schools.ts';
import { centreSchools } from './centre-schools.ts';
import { seedHistory } from './history-seed.ts';
import { lastReport } from './last-report.ts';
import { seedProgramme, type DemoPlatformSite } from './programme-seed.ts';
import { seededRandom } from './seeded-random.ts';
import type { DemoDisplay, DemoSchool } from './world.ts';
import { DAY_MS as DAY } from '../../shared/time/china-time.ts';

const bySeed: AuditSource = { actor: 'demo', reason: 'npm run demo: synthetic demo data' };

/** A device the simulated fleet runs live, with what its synthetic collectors will measure. */
export type DemoDevice = {
  deviceId: string;
  deviceKey: string;
  school: { code: string; name: string };
  classroom: { code: string; name: string } | null;
  link: DemoSchool['link'];
  display: DemoDisplay;
};

export type DemoSeed = {
  live: DemoDevice[];
  apiToken: string;
  users: { username: string; role: string; scope: string }[];
  password: string;
  /** Days of daily snapshots written, from the plan's first year to yesterday. */
  historyDays: number;
};

/**
 * Loads the demo prefecture: the roster through the real import, one enrollment token per school,
 * every classroom PC enrolled with its last report stored through the ingest path (back-dated days or
 * weeks for PCs that went quiet, minutes for live ones, as if from the fleet's previous hour), then the
 * declared half of the programme and years of daily snapshots. The figures are at their steady level
 * before the server starts; the live PCs' fresh reports arrive over HTTP from the simulated fleet.
 *
 * Enrollment writes the rows enrollDevice writes, in bulk, and evaluates every school once at the end:
 * enrollDevice costs ~5 ms a PC (a dozen unprepared queries and a school re-evaluation), 45 s for
 * the prefecture's 8,600 PCs. The demo test runs `verifyCoverage` after seeding to keep this honest.
 */
/** What the agent reports for a classroom's display (the demo builds it from EDID bytes with the agent's classifier). */
export type DemoDisplaysOf = (display: DemoDisplay) => ReportInput['displays'];

export async function seedDemo(
  store: Store,
  world: DemoSchool[],
  now: number,
  displaysOf: DemoDisplaysOf,
  site: DemoPlatformSite,
): Promise<DemoSeed> {
  const centres = centreSchools(world);
  const rows = world.map((s, i) => ({
    line: i + 2,
    cells: {
      code: s.code,
      name: s.name,
      county_code: s.countyCode,
      type_code: s.typeCode,
      urban_rural_code: s.urbanRuralCode,
      classroom_count: String(s.classrooms.length),
      township: s.township,
      centre_school_code: centres.get(s.code) === s.code ? undefined : centres.get(s.code),
    },
  }));
  const imported = await importSchools(store, rows, now, bySeed);
  if (imported.errors.length > 0)
    throw new Error(`demo roster rejected: ${JSON.stringify(imported.errors.slice(0, 3))}`);

  const live: DemoDevice[] = [];
  const lastReports: { device: { id: string; schoolCode: string }; reports: Report[] }[] = [];
  // The demo-school account's school: a month of its PCs' daily reports, so its bandwidth chart has a history.
  const showcase = showcaseSchool(world).code;
  const random = seededRandom(2015);
  const { classrooms } = store.t;
  const roomIds = new Map(
    (
      await store.q
        .select({ id: classrooms.id, schoolCode: classrooms.schoolCode, code: classrooms.code })
        .from(classrooms)
    ).map((c) => [`${c.schoolCode}/${c.code}`, c.id]),
  );
  // Every school's token first, in one transaction.
  const tokens = await store.transaction(async (tx) => {
    const made = new Map<string, NewEnrollmentToken>();
    for (const school of world)
      made.set(
        school.code,
        await createEnrollmentToken(tx, { schoolCode: school.code, expiresAt: null, maxUses: null }, now, bySeed),
      );
    return made;
  });
  await store.transaction(async (tx) => {
    const { devices, deviceStatus, enrollmentTokens } = tx.t;
    for (const countyCode of new Set(world.map((s) => s.countyCode))) {
      const enrolled: (typeof devices.$inferInsert)[] = [];
      for (const school of world.filter((s) => s.countyCode === countyCode)) {
        const token = tokens.get(school.code)!;
        for (const room of school.classrooms.filter((r) => r.device !== 'none')) {
          const device = { id: randomUUID(), key: generateSecret('device') };
          enrolled.push({
            id: device.id,
            schoolCode: school.code,
            classroomId: roomIds.get(`${school.code}/${room.code}`)!,
            hostname: `${school.code}-${room.code}-OPS`,
            keyHash: hashSecret(device.key),
            hardwareUuid: randomUUID(),
            enrollmentTokenId: token.id,
            enrolledAt: now,
          });
          const displays = displaysOf(room.display);
          const reporting = { id: device.id, schoolCode: school.code };
          if (room.device === 'live') {
            const minutesAgo = 5 + Math.floor(random() * 50);
            const measured = () => school.link.downMbps * (0.85 + random() * 0.2);
            const month = school.code === showcase ? Array.from({ length: 29 }, (_, i) => 29 - i) : [];
            lastReports.push({
              device: reporting,
              reports: [
                ...month.map((d) => lastReport(now - d * DAY - minutesAgo * 60_000, school.link, displays, measured())),
                lastReport(now - minutesAgo * 60_000, school.link, displays, measured()),
              ],
            });
            live.push({
              deviceId: device.id,
              deviceKey: device.key,
              school: { code: school.code, name: school.name },
              classroom: { code: room.code, name: room.code },
              link: school.link,
              display: room.display,
            });
          } else {
            const at = now - Math.round(room.lastSeenDaysAgo * DAY);
            lastReports.push({ device: reporting, reports: [lastReport(at, school.link, displays, null)] });
          }
        }
        await tx.q
          .update(enrollmentTokens)
          .set({ uses: school.classrooms.filter((r) => r.device !== 'none').length })
          .where(eq(enrollmentTokens.id, token.id));
      }
      for (let i = 0; i < enrolled.length; i += 500) {
        const chunk = enrolled.slice(i, i + 500);
        await tx.q.insert(devices).values(chunk);
        await tx.q
          .insert(deviceStatus)
          .values(chunk.map((d) => ({ deviceId: d.id!, schoolCode: d.schoolCode, state: 'never' as const })));
      }
      await recordAudit(
        tx,
        {
          ...bySeed,
          action: 'device.enroll',
          entityType: 'device',
          entityId: `demo:${countyCode}`,
          countyCode,
          newValue: { devices: enrolled.length },
        },
        now,
      );
    }
  });
  // Every PC's last report, stored as ingest stores it; then every school evaluated once, as ingest
  // evaluates a school after its batch (one evaluation per school, not one per PC: 8,000 of them).
  await store.transaction(async (tx) => {
    for (const r of lastReports) await storeBatch(tx, r.device, r.reports, now);
    await evaluateSchools(
      tx,
      world.map((s) => s.code),
      now,
    );
  });
  await seedProgramme(store, world, centres, site, now, bySeed);
  const historyDays = await seedHistory(store, now);

  const apiToken = (await createApiToken(store, { name: 'demo (whole prefecture)', divisionCode: null }, now, bySeed))
    .token;
  // A fixed, documented password: the README gives it, and the demo server listens on 127.0.0.1 only.
  const password = process.env.SANTONG_DEMO_PASSWORD ?? 'santong-demo';
  const firstSchool = showcaseSchool(world);
  const accounts = [
    { username: 'demo-bureau', role: 'bureau' as const, scope: 'whole prefecture' },
    { username: 'demo-county', role: 'county' as const, divisionCode: '622921', scope: 'county 622921 临夏县' },
    {
      username: 'demo-school',
      role: 'school' as const,
      schoolCode: firstSchool.code,
      scope: `school ${firstSchool.code} ${firstSchool.name}`,
    },
  ];
  for (const { scope: _, ...account } of accounts) await createUser(store, { ...account, password }, now, bySeed);
  return {
    live,
    apiToken,
    users: accounts.map(({ username, role, scope }) => ({ username, role, scope })),
    password,
    historyDays,
  };
}

/** The school the demo-school account signs in to: 临夏县's first. */
const showcaseSchool = (world: DemoSchool[]) => world.find((s) => s.countyCode === '622921') ?? world[0]!;
