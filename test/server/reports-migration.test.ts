import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.ts';
import { migrationsBefore as copyBefore } from '../helpers/migrations.ts';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function migrationsBefore(tagSuffix: string): string {
  const dir = copyBefore(tagSuffix);
  dirs.push(dir);
  return dir;
}

describe('migration reports_id_per_device', () => {
  it('keeps every stored report and lets two devices use the same report id afterwards', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-db-'));
    dirs.push(dir);
    const sqlite = new Database(path.join(dir, 'santong.sqlite'));
    sqlite.pragma('foreign_keys = ON');
    const db = drizzle(sqlite);
    migrate(db, { migrationsFolder: migrationsBefore('reports_id_per_device') });
    sqlite.exec(
      `insert into divisions (code, name, level, parent_code) values ('622900', '临夏州', 'prefecture', null), ('622921', '临夏县', 'county', '622900')`,
    );
    sqlite.exec(
      `insert into schools (code, name, county_code, type_code, urban_rural_code, created_at, updated_at) values ('6229210001', 'A', '622921', '211', '210', 0, 0)`,
    );
    const device = sqlite.prepare(
      `insert into devices (id, school_code, hostname, key_hash, enrolled_at) values (?, '6229210001', 'pc', ?, 0)`,
    );
    device.run('d1', 'k1');
    device.run('d2', 'k2');
    const report =
      sqlite.prepare(`insert into reports (id, device_id, collected_at, received_at, collected_at_clamped, schema_version, agent_version,
      internet_reachable, latency_ms, down_mbps, up_mbps, presentation_display, body) values (?, ?, 1, 2, 0, 1, 'v', 1, 20, 90, 30, 1, '{}')`);
    report.run('r1', 'd1');
    report.run('r2', 'd1');
    expect(() => report.run('r1', 'd2')).toThrow(/UNIQUE/); // the flaw: d1's id blocked d2's report

    migrate(db, { migrationsFolder: path.join(repoRoot, 'migrations') });
    expect(
      sqlite.prepare('select device_id as d, id, down_mbps as down from reports order by device_id, id').all(),
    ).toEqual([
      { d: 'd1', id: 'r1', down: 90 },
      { d: 'd1', id: 'r2', down: 90 },
    ]);
    report.run('r1', 'd2');
    expect(() => report.run('r1', 'd1')).toThrow(/UNIQUE/); // still exactly once per device
    expect(
      sqlite
        .prepare(
          "select name from sqlite_master where type = 'index' and tbl_name = 'reports' and name like 'reports_%' order by name",
        )
        .all(),
    ).toEqual([
      { name: 'reports_collected' },
      { name: 'reports_device_collected' },
      { name: 'reports_device_throughput' },
    ]);
    sqlite.close();
  });
});
