import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { Store } from '../../server/db/store.ts';
import { establishRoot } from '../../server/divisions/deployment.ts';
import { ensureReferenceData, parsePlanFile } from '../../server/plan/plan.ts';
import { addClosure, listClosures, removeClosure } from '../../server/programme/closures.ts';
import { declareStatus, listDeclarations, withdrawDeclaration } from '../../server/programme/declarations.ts';
import { readHistory, recordDailySnapshot, type SnapshotFigures } from '../../server/programme/history.ts';
import { listInspections } from '../../server/programme/inspection-list.ts';
import { readInspection, recordInspectionResult } from '../../server/programme/inspections.ts';
import { runPlatformProbes } from '../../server/programme/platform-probe.ts';
import { addPlatform } from '../../server/programme/platform-registry.ts';
import { listPlatforms, readPlatformCoverage } from '../../server/programme/platforms.ts';
import { importTeacherSpaces } from '../../server/programme/teacher-spaces-import.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { byTest } from '../helpers/server.ts';

/*
 * The programme on the store (issue 14), held to one contract on SQLite and a real PostgreSQL: closures and
 * inspections listed, the platform registry and its probes (two servers sharing one database store a schedule's
 * probe once), an inspector's finding, the recorded history, closures, declarations and teacher spaces (which
 * re-derive the schools' figures through the coverage evaluation).
 */
const open = useEachDialect();

/** A registered school of a county, as the roster import leaves it. */
const school = (code: string, countyCode: string, at: number) => ({
  code,
  name: code,
  countyCode,
  typeCode: '211',
  urbanRuralCode: '121',
  createdAt: at,
  updatedAt: at,
});

const winter = { name: '寒假', countyCode: '622921', startsOn: '2027-01-18', endsOn: '2027-02-24' };

describe.each(['sqlite', 'postgres'] as const)('closures on %s', (dialect) => {
  it('lists closures by first day', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    const { closures } = store.t;
    await store.q.insert(closures).values([
      { name: '暑假', countyCode: null, startsOn: '2027-07-10', endsOn: '2027-08-31', createdAt: 1 },
      { ...winter, createdAt: 2 },
    ]);
    expect((await listClosures(store)).map((c) => c.name)).toEqual(['寒假', '暑假']);
  });

  it('adds and removes a closure, refusing an unknown county', async () => {
    const store = await open(dialect);
    await ensureReferenceData(store, 1_000);
    const added = await addClosure(store, winter, 2_000, byTest);
    expect(added).toMatchObject({ name: '寒假', countyCode: '622921' });
    await expect(addClosure(store, { ...winter, countyCode: '629999' }, 2_000, byTest)).rejects.toThrow(
      'no county 629999',
    );
    await removeClosure(store, added.id, 3_000, byTest);
    expect(await listClosures(store)).toEqual([]);
    await expect(removeClosure(store, added.id, 3_000, byTest)).rejects.toThrow(`no closure ${added.id}`);
  });
});

describe.each(['sqlite', 'postgres'] as const)('inspections listed on %s', (dialect) => {
  it('counts each inspection’s schools and findings, in a county or the whole deployment', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    const { schools, inspections, inspectionSchools } = store.t;
    await store.q.insert(schools).values([school('6229210001', '622921', 1), school('6229220001', '622922', 1)]);
    const [drawn] = await store.q
      .insert(inspections)
      .values({ seed: 'x', perCounty: 1, drawnAt: 2, drawnBy: 'cli:test' })
      .returning();
    await store.q.insert(inspectionSchools).values([
      { inspectionId: drawn!.id, schoolCode: '6229210001', stratum: 'a', recordedAt: 3 },
      { inspectionId: drawn!.id, schoolCode: '6229220001', stratum: 'a' },
    ]);
    expect(await listInspections(store, null)).toEqual([
      expect.objectContaining({ id: drawn!.id, schools: 2, recorded: 1 }),
    ]);
    expect(await listInspections(store, '622922')).toEqual([expect.objectContaining({ schools: 1, recorded: 0 })]);
  });
});

const T0 = Date.parse('2026-03-02T08:00:00Z');
const { plan: linxia } = parsePlanFile(new URL('../../server/plan/linxia-2015-2020.json', import.meta.url));

/** Linxia's tree and plan, two schools (临夏县, 康乐县) and a classroom. */
async function linxiaWorld(store: Store) {
  await establishRoot(store, undefined, T0);
  const { plans, schools, classrooms } = store.t;
  await store.q.insert(plans).values({ document: linxia!, importedAt: T0, source: 'test' });
  await store.q.insert(schools).values([school('6229210001', '622921', T0), school('6229220001', '622922', T0)]);
  await store.q.insert(classrooms).values({ schoolCode: '6229210001', code: '1', name: '一年级一班' });
}

/** A line of a teacher-spaces file: a school's teachers, 10 spaces opened and 5 verified. */
const spacesRow = (line: number, school_code: string, teachers: string) => ({
  line,
  cells: { school_code, teachers, spaces_opened: '10', spaces_verified: '5' },
});

async function auditActions(store: Store) {
  const { auditLog } = store.t;
  return (await store.q.select({ action: auditLog.action }).from(auditLog)).map((a) => a.action);
}

/** A platform's site on 127.0.0.1 that answers 200, counting the probes it receives. */
async function platformSite() {
  let probes = 0;
  const server = http.createServer((_request, response) => {
    probes++;
    response.end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, probes: () => probes };
}

describe.each(['sqlite', 'postgres'] as const)('the programme on %s', (dialect) => {
  it('registers a platform, stores one probe a schedule instant however many servers probe, and reads its status', async () => {
    const [server1, server2] = (await open.sharing(dialect, 2)) as [Store, Store];
    await linxiaWorld(server1);
    const site = await platformSite();
    const platform = await addPlatform(
      server1,
      {
        kind: 'resource',
        level: 'county',
        ownerCode: '622921',
        name: '临夏县资源平台',
        url: site.url,
        builtOn: '2018-05-01',
      },
      byTest,
      T0,
    );
    // Both servers' probe job fires for the same schedule instant.
    const round = T0;
    const clock = () => T0 + 1_000;
    const [first, second] = await Promise.all(
      [server1, server2].map((store) => runPlatformProbes(store, { clock, timeoutMs: 5_000, round })),
    );
    expect([...first!, ...second!]).toEqual([
      { platformId: platform.id, result: expect.objectContaining({ up: true }) },
    ]);
    expect(site.probes()).toBeGreaterThanOrEqual(1);
    const { platformProbes } = server1.t;
    expect(await server1.q.select().from(platformProbes)).toHaveLength(1);
    // The next schedule instant is probed again; the status is recomputed from both probes.
    await runPlatformProbes(server2, { clock: () => T0 + 600_000, timeoutMs: 5_000, round: T0 + 600_000 });
    const [listed] = await listPlatforms(server1, '622921', T0 + 600_000);
    expect(listed).toMatchObject({ id: platform.id, countyCode: '622921', status: { reachable: true, probes30d: 2 } });
    const county = (await readPlatformCoverage(server2, null, T0 + 600_000)).levels.find((l) => l.level === 'county');
    expect(county).toMatchObject({ units: 8, resource: { declaredBuilt: 1, reachable: 1 } });
    expect(await auditActions(server1)).toEqual(['platform.add']);
  });

  it("records an inspector's finding for a school of an inspection, audited, within the recorder's county", async () => {
    const store = await open(dialect);
    await linxiaWorld(store);
    const { inspections, inspectionSchools } = store.t;
    const [drawn] = await store.q
      .insert(inspections)
      .values({ seed: 'spring', perCounty: 1, drawnAt: T0, drawnBy: 'cli:test' })
      .returning();
    await store.q.insert(inspectionSchools).values([
      { inspectionId: drawn!.id, schoolCode: '6229210001', stratum: 'declared-only' },
      { inspectionId: drawn!.id, schoolCode: '6229220001', stratum: 'measured' },
    ]);
    const finding = { schoolCode: '6229220001', result: 'discrepancy' as const, note: '机房无网络' };
    await expect(recordInspectionResult(store, drawn!.id, finding, T0, byTest, '622921')).rejects.toThrow(
      'not in division 622921',
    );
    const recorded = await recordInspectionResult(store, drawn!.id, finding, T0 + 1, byTest, '622922');
    expect(recorded.schools.find((s) => s.schoolCode === '6229220001')).toMatchObject({
      result: 'discrepancy',
      note: '机房无网络',
      recordedBy: 'cli:test',
    });
    expect((await readInspection(store, drawn!.id)).schools.map((s) => s.result)).toEqual([null, 'discrepancy']);
    expect(await auditActions(store)).toEqual(['inspection.result']);
  });

  it('reads the recorded history by division, subtree and days; a recorded day is never rewritten', async () => {
    const store = await open(dialect);
    await linxiaWorld(store);
    const figures = (connected: number): SnapshotFigures => ({
      schools: { registered: 2, connected, meetingStandard: 0, declaredConnected: 0, declarationConflicts: 0 },
      classrooms: { registered: 1, equipped: 0, declaredEquipped: 0 },
      devices: { enrolled: 0, live: 0, atRisk: 0, silent: 0, never: 0 },
    });
    const day = (connected: number) =>
      new Map([
        ['622900', figures(connected)],
        ['622921', figures(connected)],
        ['622922', figures(0)],
      ]);
    await recordDailySnapshot(store, '2026-02-27', day(0), 'backfill', T0);
    await recordDailySnapshot(store, '2026-02-28', day(1), 'live', T0);
    await recordDailySnapshot(store, '2026-02-28', day(2), 'live', T0 + 1);
    const county = await readHistory(store, { divisionCodes: ['622921'] });
    expect(county.map((p) => [p.day, p.name, p.source, p.figures.schools.connected])).toEqual([
      ['2026-02-27', '临夏县', 'backfill', 0],
      ['2026-02-28', '临夏县', 'live', 1],
    ]);
    const within = await readHistory(store, { divisionCodes: null, within: '622922', from: '2026-02-28' });
    expect(within.map((p) => [p.day, p.divisionCode])).toEqual([['2026-02-28', '622922']]);
  });

  it('declares a status, lists it for review and withdraws it, audited', async () => {
    const store = await open(dialect);
    await linxiaWorld(store);
    const request = {
      schoolCode: '6229210001',
      indicator: 'equipped' as const,
      classroomCode: '1',
      reason: '资产登记',
    };
    const declared = await declareStatus(store, request, T0, byTest, '622921');
    expect(declared).toMatchObject({
      schoolCode: '6229210001',
      classroomCode: '1',
      measured: false,
      withdrawnAt: null,
    });
    await expect(declareStatus(store, request, T0, byTest, null)).rejects.toThrow('already declared');
    await expect(declareStatus(store, request, T0, byTest, '622922')).rejects.toThrow('not in division 622922');
    const listed = await listDeclarations(store, { countyScope: '622921', status: 'active' }, T0);
    expect(listed.map((d) => d.id)).toEqual([declared.id]);
    expect(await listDeclarations(store, { countyScope: '622922', status: 'active' }, T0)).toEqual([]);
    await withdrawDeclaration(store, declared.id, T0 + 1, byTest, null);
    expect(await listDeclarations(store, { countyScope: null, status: 'withdrawn' }, T0 + 1)).toEqual([
      expect.objectContaining({ id: declared.id, withdrawnBy: 'cli:test' }),
    ]);
    const { classroomStatus } = store.t;
    expect((await store.q.select().from(classroomStatus)).map((c) => c.declaredEquipped)).toEqual([false]);
    expect(await auditActions(store)).toEqual(['declaration.create', 'declaration.withdraw']);
  });

  it('imports teacher spaces all or nothing, one audit entry per school changed', async () => {
    const store = await open(dialect);
    await linxiaWorld(store);
    const refused = await importTeacherSpaces(
      store,
      [spacesRow(2, '6229210001', '40'), spacesRow(3, '6229990001', '9')],
      T0,
      byTest,
    );
    expect(refused.errors).toEqual([expect.objectContaining({ line: 3, field: 'school_code' })]);
    expect(await store.q.select().from(store.t.teacherSpaces)).toEqual([]);
    const rows = [spacesRow(2, '6229210001', '40'), spacesRow(3, '6229220001', '12')];
    expect(await importTeacherSpaces(store, rows, T0, byTest)).toEqual({ changed: 2, unchanged: 0, errors: [] });
    expect(await importTeacherSpaces(store, rows, T0 + 1, byTest)).toEqual({ changed: 0, unchanged: 2, errors: [] });
    const { schoolStatus } = store.t;
    const status = await store.q
      .select({ teachers: schoolStatus.teachers })
      .from(schoolStatus)
      .where(eq(schoolStatus.schoolCode, '6229210001'));
    expect(status).toEqual([{ teachers: 40 }]);
    expect(await auditActions(store)).toEqual(['teacher-spaces.declare', 'teacher-spaces.declare']);
  });
});
