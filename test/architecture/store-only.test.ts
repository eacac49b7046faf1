import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * Issue 14 moves the server onto the Store (decisions 180, 186) file by file. A file on the store reaches the
 * data only through it: no SQLite connection (server/db/client.ts's Db, inTransaction), no statements prepared
 * per connection (per-connection.ts), no legacyDb and no c.get('db'). The files not yet moved are listed here;
 * the list only shrinks, and a file that has moved must leave it, so progress is visible and cannot slide back.
 */
const repo = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The SQLite layer itself, SQLite's own backup (PostgreSQL's is pg_dump) and the wipe of the release key only
 * SQLite deployments ever held (releases/legacy-key.ts): they are the connection.
 */
const theConnection = [
  'server/db/client.ts',
  'server/db/per-connection.ts',
  'server/db/store.ts',
  'server/db/backup.ts',
  'server/releases/legacy-key.ts',
  'server/db/sqlite-to-postgres.ts', // migrate-to-postgres reads the SQLite file itself, like backup
  'server/http/app-env.ts',
];

/** Not yet on the store (issue 14). */
export const onTheConnection = [
  'server/app.ts',
  'server/audit/audit.ts',
  'server/commands/command-line.ts',
  'server/commands/platforms.ts',
  'server/commands/teacher-spaces.ts',
  'server/coverage/county-calendars.ts',
  'server/coverage/device-displays.ts',
  'server/coverage/devices-read.ts',
  'server/coverage/evaluate.ts',
  'server/coverage/read.ts',
  'server/coverage/recompute.ts',
  'server/coverage/registry-read.ts',
  'server/coverage/verify.ts',
  'server/db/read-cache-connection.ts',
  'server/demo/history-seed.ts',
  'server/demo/programme-seed.ts',
  'server/demo/seed.ts',
  'server/divisions/deployment-on-connection.ts',
  'server/enrollment/enroll.ts',
  'server/index.ts',
  'server/ingest/reports.ts',
  'server/jobs/aging.ts',
  'server/jobs/maintenance-task.ts',
  'server/jobs/platform-probes.ts',
  'server/plan/current-connection.ts',
  'server/plan/plan.ts',
  'server/programme/closures.ts',
  'server/programme/declarations.ts',
  'server/programme/history.ts',
  'server/programme/inspection-checklist.ts',
  'server/programme/inspections.ts',
  'server/programme/plan-import.ts',
  'server/programme/platform-probe.ts',
  'server/programme/platform-registry.ts',
  'server/programme/platforms.ts',
  'server/programme/programme-figures.ts',
  'server/programme/public-coverage.ts',
  'server/programme/teacher-spaces-import.ts',
  'server/programme/teacher-spaces.ts',
  'server/registry/division-update.ts',
  'server/registry/import-schools.ts',
  'server/routes/coverage.ts',
  'server/routes/dashboard-county.ts',
  'server/routes/dashboard-declarations.ts',
  'server/routes/dashboard-devices.ts',
  'server/routes/dashboard-enrollment.ts',
  'server/routes/dashboard-inspections.ts',
  'server/routes/dashboard-overview.ts',
  'server/routes/dashboard-platforms.ts',
  'server/routes/dashboard-school.ts',
  'server/routes/dashboard-trail.ts',
  'server/routes/declarations.ts',
  'server/routes/divisions.ts',
  'server/routes/health.ts',
  'server/routes/history.ts',
  'server/routes/inspections.ts',
  'server/routes/platforms.ts',
  'server/routes/public.ts',
  'server/routes/schools.ts',
  'server/routes/teacher-spaces.ts',
  'server/speedtest/record.ts',
];

const usesTheConnection = /db\/client\.ts'|from '\.\/client\.ts'|per-connection\.ts'|\blegacyDb|\.get\('db'\)/;

function serverFiles(dir = 'server'): string[] {
  return fs.readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return serverFiles(file);
    return /\.tsx?$/.test(entry.name) ? [file] : [];
  });
}

describe('the server on the store (issue 14)', () => {
  const using = serverFiles().filter((f) => usesTheConnection.test(fs.readFileSync(path.join(repo, f), 'utf8')));

  it('reaches the data through the store in every file not listed as still on the connection', () => {
    expect(using.filter((f) => !theConnection.includes(f) && !onTheConnection.includes(f))).toEqual([]);
  });

  it('lists only files still on the connection, so the list shrinks as files move', () => {
    expect(
      onTheConnection.filter((f) => !using.includes(f)),
      'remove these from onTheConnection',
    ).toEqual([]);
  });
});
