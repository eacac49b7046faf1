import { describe, expect, it } from 'vitest';
import { establishRoot } from '../../server/divisions/deployment.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { readDivisionReference } from '../../server/divisions/reference-file.ts';
import { updateDivisionReference } from '../../server/registry/division-update.ts';
import { importSchools, validateRoster } from '../../server/registry/import-schools.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { rosterRow } from '../helpers/roster.ts';
import { byTest } from '../helpers/server.ts';

/*
 * The registry through the store (issue 14): a roster is checked against the deployment's tree and the stored
 * schools, a new division edition is planned, and a roster is written with its audit and its schools' figures,
 * with the same code on SQLite and a real PostgreSQL.
 */
const open = useEachDialect();
const fujian2020 = readDivisionReference(new URL('../divisions/fixtures/fujian-stats-2020.tsv', import.meta.url)).tree!;

const row = rosterRow;

describe.each(['sqlite', 'postgres'] as const)('the registry on %s', (dialect) => {
  it('checks a roster against the tree and the registry, every problem at once', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    const { valid, errors } = await validateRoster(store, [
      row(2, '6229210001', '622921'),
      row(3, '6229210001', '622922'),
      row(4, '6201020001', '620102'),
      row(5, '6229220001', '622922', { centre_school_code: '6229219999' }),
    ]);
    expect(valid).toHaveLength(4);
    expect(errors.map((e) => [e.line, e.field])).toEqual([
      [3, 'code'],
      [4, 'county_code'],
      [5, 'centre_school_code'],
    ]);
    expect(errors[1]!.reason).toContain("outside this deployment's root 622900");
  });

  it('plans a division edition against what the deployment stores, refusing a move with no successor', async () => {
    const store = await open(dialect);
    await establishRoot(store, '350400', 1_000);
    const { change, applied } = await updateDivisionReference(
      store,
      fujian2020,
      { successors: new Map(), dryRun: true },
      2_000,
      byTest,
    );
    expect(applied).toBe(false);
    // The 2020 edition still has 梅列区 350402 and 沙县 350427, which the shipped (2023) tree lacks.
    expect(change.changes.added.map((d) => d.code)).toEqual(expect.arrayContaining(['350402', '350427']));
    expect(change.changes.removed.map((d) => d.code)).toEqual(expect.arrayContaining(['350404', '350405']));
  });

  it('imports a roster: schools, classrooms and a summary', async () => {
    const store = await open(dialect);
    await ensureReferenceData(store, 1_000);
    const summary = await importSchools(store, [row(2, '6229210001', '622921')], 2_000, byTest);
    expect(summary).toMatchObject({ created: 1, classroomsCreated: 2, errors: [] });
  });
});
