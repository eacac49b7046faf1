import { describe, expect, it } from 'vitest';
import { addClosure, listClosures, removeClosure } from '../../server/programme/closures.ts';
import { listInspections } from '../../server/programme/inspection-list.ts';
import { ensureReferenceData } from '../../server/plan/plan.ts';
import { establishRoot } from '../../server/divisions/deployment.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';
import { byTest } from '../helpers/server.ts';

/*
 * School closures and the inspection list through the store (issue 14). Listing runs on both dialects; adding and removing record the
 * audit and re-derive figures on the SQLite connection until audit and coverage move, so on PostgreSQL they are
 * refused whole, nothing written.
 */
const open = useEachDialect();
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

  it.runIf(dialect === 'sqlite')('adds and removes a closure, refusing an unknown county', async () => {
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

  it.runIf(dialect === 'postgres')('refuses adding a closure whole until the audit log moves', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    await expect(addClosure(store, winter, 2_000, byTest)).rejects.toThrow(/does not run on PostgreSQL yet/);
    expect(await listClosures(store)).toEqual([]);
  });
});

describe.each(['sqlite', 'postgres'] as const)('inspections listed on %s', (dialect) => {
  it('counts each inspection’s schools and findings, in a county or the whole deployment', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    const { schools, inspections, inspectionSchools } = store.t;
    const school = (code: string, countyCode: string) => ({
      code,
      name: code,
      countyCode,
      typeCode: '211',
      urbanRuralCode: '121',
      createdAt: 1,
      updatedAt: 1,
    });
    await store.q.insert(schools).values([school('6229210001', '622921'), school('6229220001', '622922')]);
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
