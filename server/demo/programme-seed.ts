import type { AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { declareStatus } from '../programme/declarations.ts';
import { addPlatform } from '../programme/platform-registry.ts';
import { recordProbe } from '../programme/platform-probe.ts';
import { writeTeacherSpaces, type TeacherSpaceDeclaration } from '../programme/teacher-spaces.ts';
import { DAY_MS, HOUR_MS } from '../../shared/time/china-time.ts';
import { seededRandom } from './seeded-random.ts';
import type { DemoSchool } from './world.ts';

/*
 * The declared half of a programme in progress, through the same domain functions the API and the dashboard
 * call: county officers' declarations (some contradicted by the PCs' own reports), 人人通 teacher spaces per
 * school, and the two platforms at every level with a month of probes. Deterministic for the world's seed.
 */

// A probe a day for the 30 days uptime is judged over: each recordProbe recomputes the platform's status
// from its kept probes, and the live probe job adds one every 10 minutes from the start anyway.
const PROBE_DAYS = 30;

/** What the seed needs of the demo server: where its platforms' probes will land (the server itself, on 127.0.0.1). */
export type DemoPlatformSite = { up: string; down: string };

/** Declarations, teacher spaces and platforms (with probes) for the demo prefecture. */
export async function seedProgramme(
  store: Store,
  world: DemoSchool[],
  centres: Map<string, string>,
  site: DemoPlatformSite,
  now: number,
  audit: AuditSource,
): Promise<void> {
  const random = seededRandom(2016);
  await store.transaction(async (tx) => {
    await seedDeclarations(tx, world, random, now, audit);
    await seedTeacherSpaces(tx, world, random, now, audit);
    await seedPlatforms(tx, world, centres, site, random, now, audit);
  });
}

async function seedDeclarations(tx: Store, world: DemoSchool[], random: () => number, now: number, audit: AuditSource) {
  for (const school of world) {
    // A county office declares most unconnected schools connected anyway: their PCs' reports contradict it.
    if (!school.link.reachable && random() < 0.6)
      await declareStatus(
        tx,
        { schoolCode: school.code, indicator: 'connected', reason: '县电教馆上报：已开通宽带（演示）' },
        now,
        audit,
        null,
      );
    // Classrooms with no PC to show it: equipment declared from the county's asset register.
    for (const room of school.classrooms)
      if (room.device === 'none' && random() < 0.5)
        await declareStatus(
          tx,
          {
            schoolCode: school.code,
            indicator: 'equipped',
            classroomCode: room.code,
            reason: '资产登记：已配备投影（演示）',
          },
          now,
          audit,
          null,
        );
  }
}

async function seedTeacherSpaces(
  tx: Store,
  world: DemoSchool[],
  random: () => number,
  now: number,
  audit: AuditSource,
) {
  // About two teachers a classroom: 8,926 classrooms give close to the plan's 17,859 teachers.
  const declarations: TeacherSpaceDeclaration[] = [];
  for (const school of world) {
    if (random() < 0.04) continue; // a few schools have not declared yet
    const teachers = Math.max(1, Math.round(school.classrooms.length * (1.6 + random() * 0.8)));
    const spacesOpened = Math.round(teachers * (0.8 + random() * 0.2));
    const spacesVerified = Math.round(spacesOpened * (0.6 + random() * 0.35));
    declarations.push({
      school: { code: school.code, countyCode: school.countyCode },
      figures: { teachers, spacesOpened, spacesVerified },
    });
  }
  await writeTeacherSpaces(tx, declarations, audit, now);
}

async function seedPlatforms(
  tx: Store,
  world: DemoSchool[],
  centres: Map<string, string>,
  site: DemoPlatformSite,
  random: () => number,
  now: number,
  audit: AuditSource,
) {
  const add = async (
    kind: 'resource' | 'management',
    level: 'prefecture' | 'county' | 'centre-school',
    ownerCode: string,
    name: string,
    builtYear: number,
    up: boolean,
  ) => {
    const builtOn = `${builtYear}-0${1 + Math.floor(random() * 9)}-15`;
    const url = `${up ? site.up : site.down}?platform=${kind}-${ownerCode}`;
    const platform = await addPlatform(tx, { kind, level, ownerCode, name, url, builtOn }, audit, now);
    // A month of probes, as the probe job would have recorded them; a platform that is down now failed lately.
    for (let i = PROBE_DAYS - 1; i >= 0; i--) {
      const at = now - i * DAY_MS - Math.floor(random() * HOUR_MS);
      const isUp = up ? random() > 0.03 : i > 5 && random() > 0.1;
      await recordProbe(
        tx,
        platform.id,
        isUp
          ? { up: true, statusCode: 200, latencyMs: Math.round(30 + random() * 120), error: null }
          : { up: false, statusCode: null, latencyMs: null, error: 'ECONNREFUSED: connect ECONNREFUSED' },
        at,
      );
    }
  };
  await add('resource', 'prefecture', '622900', '临夏州教育资源公共服务平台（演示）', 2017, true);
  await add('management', 'prefecture', '622900', '临夏州教育管理公共服务平台（演示）', 2017, true);
  const counties = [...new Set(world.map((s) => s.countyCode))];
  for (const [i, county] of counties.entries()) {
    await add('resource', 'county', county, `${county} 县级资源平台（演示）`, 2018, i !== 5);
    // One county has not built its management platform yet: the overview shows it behind.
    if (i !== 6) await add('management', 'county', county, `${county} 县级管理平台（演示）`, 2018, true);
  }
  const names = new Map(world.map((s) => [s.code, s.name]));
  for (const centre of new Set(centres.values())) {
    if (random() < 0.7)
      await add('resource', 'centre-school', centre, `${names.get(centre)}资源平台`, 2019, random() > 0.08);
  }
}
