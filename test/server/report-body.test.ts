import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticCollector } from '../../agent/demo/synthetic.ts';
import { latestDisplays } from '../../server/coverage/device-displays.ts';
import { openDatabaseFile } from '../../server/db/client.ts';
import { decodeReportBody, encodeReportBody } from '../../server/db/report-body.ts';
import { decodeReportId, encodeReportId } from '../../server/db/report-id.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { reports } from '../../server/db/schema.ts';
import { demoDisplayProfiles, type DemoDisplay } from '../../server/demo/world.ts';
import { seededRandom } from '../../server/demo/seeded-random.ts';
import { repoRoot } from '../helpers/cli.ts';
import { migrationsBefore } from '../helpers/migrations.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Reports as the demo fleet's Windows classroom PCs send them: real EDID bytes through the agent's classifier. */
async function classroomReports(profiles: readonly DemoDisplay[]): Promise<string[]> {
  const random = seededRandom(7);
  const out: string[] = [];
  for (const [i, display] of profiles.entries()) {
    const pc = {
      deviceId: `${(0x30 + i).toString(16)}a1b2c3-d4e5-4f60-8a9b-0c1d2e3f4a5b`,
      school: { code: `62292400${10 + i}`, name: 'school' },
      classroom: { code: `${201 + i}`, name: 'classroom' },
      link: { reachable: i % 3 !== 0, downMbps: i % 3 === 0 ? 0 : 50 + 10 * i },
      display,
    };
    out.push(JSON.stringify(await syntheticCollector(pc, () => Date.now() + i * 1000, random).report({})));
  }
  return out;
}

describe('stored report bodies', () => {
  it('keeps dictionary 1 byte for byte: bodies stored with it must inflate for ever', () => {
    const dictionary = fs.readFileSync(path.join(repoRoot, 'server/db/report-dictionary-1.txt'));
    expect(createHash('sha256').update(dictionary).digest('hex')).toBe(
      '1622acc39c82b38e675884e228c9abb143549ebdb469a8057cd12899cfc037db',
    );
  });

  it('gives back every report exactly, at under a quarter of its size, for displays the dictionary never saw', async () => {
    // The dictionary holds three demo profiles (bench/world/report-dictionary.ts); these are the others.
    const unseen = demoDisplayProfiles.filter((p) => !['tv', 'seewo-panel', 'epson-projector'].includes(p));
    expect(unseen.length).toBeGreaterThanOrEqual(4);
    for (const json of await classroomReports(unseen)) {
      const stored = encodeReportBody(json);
      expect(stored[0]).toBe(0x01);
      expect(stored.length).toBeLessThan(json.length / 4);
      expect(decodeReportBody(stored)).toBe(json);
    }
  });

  it('stores a report id as its 16 bytes and gives back the UUID text', () => {
    const id = randomUUID();
    const stored = encodeReportId(id);
    expect(Buffer.isBuffer(stored) && stored.length).toBe(16);
    expect(decodeReportId(stored)).toBe(id);
    expect(decodeReportId(encodeReportId(id.toUpperCase()))).toBe(id);
    expect(encodeReportId('r1')).toBe('r1');
    expect(() => decodeReportId(Buffer.from([1, 2, 3]))).toThrow(/3 bytes is not a UUID/);
  });

  it('reads a body stored as JSON text, and refuses one whose first byte no version writes', () => {
    const json = '{"schemaVersion":2,"displays":[]}';
    expect(decodeReportBody(json)).toBe(json);
    expect(decodeReportBody(Buffer.from(json))).toBe(json);
    expect(() => decodeReportBody(Buffer.from([0x09, 1, 2]))).toThrow(
      /starts with byte 9, which no santong version writes/,
    );
    expect(() => decodeReportBody(Buffer.alloc(0))).toThrow(/starts with byte none/);
  });
});

describe('migration reports_compact', () => {
  it('keeps the bodies stored before it readable, stores new ones deflated beside them, and report ids as 16 bytes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-db-'));
    const before = migrationsBefore('reports_compact');
    dirs.push(dir, before);
    const file = path.join(dir, 'santong.sqlite');
    const older = new Database(file);
    migrate(drizzle(older), { migrationsFolder: before });
    older.exec(`insert into divisions (code, name, level, parent_code) values ('622900', '临夏州', 'prefecture', null),
      ('622921', '临夏县', 'county', '622900')`);
    older.exec(`insert into schools (code, name, county_code, type_code, urban_rural_code, created_at, updated_at)
      values ('6229210001', 'A', '622921', '211', '210', 0, 0)`);
    older.exec(
      `insert into devices (id, school_code, hostname, key_hash, enrolled_at) values ('d1', '6229210001', 'pc', 'k', 0)`,
    );
    const [legacyJson, newJson] = await classroomReports(['benq-projector', 'hitevision-panel']);
    const [legacyId, newId] = [randomUUID(), randomUUID()];
    older
      .prepare(
        `insert into reports (id, device_id, collected_at, received_at, collected_at_clamped, schema_version, agent_version,
         internet_reachable, presentation_display, body) values (?, 'd1', 1000, 1000, 0, 2, 'v', 1, 1, ?)`,
      )
      .run(legacyId, legacyJson);
    older.close();

    const db = openDatabaseFile(file);
    try {
      db.insert(reports)
        .values({
          id: newId,
          deviceId: 'd1',
          collectedAt: 2000,
          receivedAt: 2000,
          collectedAtClamped: false,
          schemaVersion: 2,
          agentVersion: 'v',
          internetReachable: true,
          presentationDisplay: true,
          body: JSON.parse(newJson!) as unknown,
        })
        .run();
      const stored = db.$client
        .prepare(
          `select typeof(id) as idType, length(id) as idBytes, typeof(body) as type, length(body) as bytes,
           report_json(body) as json from reports order by collected_at`,
        )
        .all() as { idType: string; idBytes: number; type: string; bytes: number; json: string }[];
      expect(stored.map((r) => [r.idType, r.idBytes, r.type])).toEqual([
        ['blob', 16, 'text'],
        ['blob', 16, 'blob'],
      ]);
      expect(stored[0]!.json).toBe(legacyJson);
      expect(stored[1]!.json).toBe(newJson);
      expect(stored[1]!.bytes).toBeLessThan(newJson!.length / 4);
      // The domain reads either through drizzle's column and through the hand-written statement alike.
      const viaDrizzle = db
        .select({ id: reports.id, body: reports.body })
        .from(reports)
        .orderBy(reports.collectedAt)
        .all();
      expect(viaDrizzle).toEqual([
        { id: legacyId, body: JSON.parse(legacyJson!) },
        { id: newId, body: JSON.parse(newJson!) },
      ]);
      // Exactly once across the upgrade: the id stored before it still refuses a replay of its report.
      const replay = { ...viaDrizzle[0]!, deviceId: 'd1', collectedAt: 1000, receivedAt: 3000 };
      const flags = { collectedAtClamped: false, internetReachable: true, presentationDisplay: true };
      expect(() =>
        db
          .insert(reports)
          .values({ ...replay, ...flags, schemaVersion: 2, agentVersion: 'v' })
          .run(),
      ).toThrow(/UNIQUE/);
      expect((await latestDisplays(sqliteStore(db), 'd1', 1000)).map((d) => d.model)).toEqual(
        (JSON.parse(legacyJson!) as { displays: { model: string }[] }).displays.map((d) => d.model),
      );
      expect((await latestDisplays(sqliteStore(db), 'd1', 2000)).map((d) => d.kind)).toEqual(['interactive-panel']);
    } finally {
      db.$client.close();
    }
  });
});
