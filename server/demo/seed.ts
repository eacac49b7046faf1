import { randomUUID } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report, type ReportInput } from '../../shared/schemas/report.ts';
import { createUser } from '../accounts/users.ts';
import type { AuditSource } from '../audit/audit.ts';
import { createApiToken } from '../auth/api-tokens.ts';
import type { Db } from '../db/client.ts';
import { eq } from 'drizzle-orm';
import { recordAudit } from '../audit/audit.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';
import { evaluateSchools } from '../coverage/evaluate.ts';
import { inTransaction } from '../db/client.ts';
import { classrooms, devices, deviceStatus, enrollmentTokens } from '../db/schema.ts';
import { createEnrollmentToken } from '../enrollment/tokens.ts';
import { ingestReports } from '../ingest/reports.ts';
import { importSchools } from '../registry/import-schools.ts';
import type { DemoDisplay, DemoSchool } from './world.ts';
import { DAY_MS as DAY } from '../time/china-time.ts';

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
};

/**
 * Loads the demo prefecture: the roster through the real import, one enrollment token per school,
 * every classroom PC enrolled, and for PCs that went quiet their last report, back-dated, through the
 * real ingest path. Live PCs report later, over HTTP, from the simulated fleet.
 *
 * Enrollment writes the rows enrollDevice writes, in bulk, and evaluates every school once at the end:
 * enrollDevice costs ~5 ms a PC (a dozen unprepared queries and a school re-evaluation), 45 s for
 * the prefecture's 8,600 PCs. The demo test runs `verifyCoverage` after seeding to keep this honest.
 */
/** What the agent reports for a classroom's display (the demo builds it from EDID bytes with the agent's classifier). */
export type DemoDisplaysOf = (display: DemoDisplay) => ReportInput['displays'];

export async function seedDemo(
  db: Db,
  world: DemoSchool[],
  now: number,
  displaysOf: DemoDisplaysOf,
): Promise<DemoSeed> {
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
    },
  }));
  const imported = importSchools(db, rows, now, bySeed);
  if (imported.errors.length > 0)
    throw new Error(`demo roster rejected: ${JSON.stringify(imported.errors.slice(0, 3))}`);

  const live: DemoDevice[] = [];
  const quiet: { device: { id: string; schoolCode: string }; report: Report }[] = [];
  const roomIds = new Map(
    db
      .select({ id: classrooms.id, schoolCode: classrooms.schoolCode, code: classrooms.code })
      .from(classrooms)
      .all()
      .map((c) => [`${c.schoolCode}/${c.code}`, c.id]),
  );
  inTransaction(db, () => {
    for (const countyCode of new Set(world.map((s) => s.countyCode))) {
      const enrolled: (typeof devices.$inferInsert)[] = [];
      for (const school of world.filter((s) => s.countyCode === countyCode)) {
        const token = createEnrollmentToken(
          db,
          { schoolCode: school.code, expiresAt: null, maxUses: null },
          now,
          bySeed,
        );
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
          if (room.device === 'live') {
            live.push({
              deviceId: device.id,
              deviceKey: device.key,
              school: { code: school.code, name: school.name },
              classroom: { code: room.code, name: room.code },
              link: school.link,
              display: room.display,
            });
          } else {
            quiet.push({
              device: { id: device.id, schoolCode: school.code },
              report: lastReport(now - Math.round(room.lastSeenDaysAgo * DAY), school.link, displaysOf(room.display)),
            });
          }
        }
        db.update(enrollmentTokens)
          .set({ uses: school.classrooms.filter((r) => r.device !== 'none').length })
          .where(eq(enrollmentTokens.id, token.id))
          .run();
      }
      for (let i = 0; i < enrolled.length; i += 500) {
        const chunk = enrolled.slice(i, i + 500);
        db.insert(devices).values(chunk).run();
        db.insert(deviceStatus)
          .values(chunk.map((d) => ({ deviceId: d.id!, schoolCode: d.schoolCode, state: 'never' as const })))
          .run();
      }
      recordAudit(
        db,
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
    // PCs that went quiet: their last report, back-dated, through the real ingest path, which
    // evaluates their school; every other school is evaluated once here.
    for (const q of quiet) ingestReports(db, q.device, [q.report], now);
    const evaluated = new Set(quiet.map((q) => q.device.schoolCode));
    evaluateSchools(
      db,
      world.map((s) => s.code).filter((code) => !evaluated.has(code)),
      now,
    );
  });

  const apiToken = createApiToken(db, { name: 'demo (whole prefecture)', countyCode: null }, now, bySeed).token;
  // A fixed, documented password: the README gives it, and the demo server listens on 127.0.0.1 only.
  const password = process.env.SANTONG_DEMO_PASSWORD ?? 'santong-demo';
  const firstSchool = world.find((s) => s.countyCode === '622921') ?? world[0]!;
  const accounts = [
    { username: 'demo-bureau', role: 'bureau' as const, scope: 'whole prefecture' },
    { username: 'demo-county', role: 'county' as const, countyCode: '622921', scope: 'county 622921 临夏县' },
    {
      username: 'demo-school',
      role: 'school' as const,
      schoolCode: firstSchool.code,
      scope: `school ${firstSchool.code} ${firstSchool.name}`,
    },
  ];
  for (const { scope: _, ...account } of accounts) await createUser(db, { ...account, password }, now, bySeed);
  return { live, apiToken, users: accounts.map(({ username, role, scope }) => ({ username, role, scope })), password };
}

/** The last report a PC sent before it went quiet, as its agent would have built it. */
function lastReport(collectedAt: number, link: DemoSchool['link'], displays: ReportInput['displays']): Report {
  return reportSchema.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: randomUUID(),
    collectedAt: new Date(collectedAt).toISOString(),
    agentVersion: '0.1.0',
    network: {
      interfaces: [],
      internet: { reachable: link.reachable, latencyMs: link.reachable ? 40 : null, targets: [] },
    },
    displays,
  });
}
