import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../server/db/store.ts';
import { confineTo, confineToCounty } from '../../server/divisions/confinement.ts';
import { deploymentTree, establishRoot, RootError, storedRoot } from '../../server/divisions/deployment.ts';
import { useEachDialect } from '../helpers/each-dialect.ts';

/*
 * The deployment's root and tree (decision 141) through the store (issue 14): the same code chooses the root,
 * loads its subtree and reads the tree on SQLite and on a real PostgreSQL.
 */
const open = useEachDialect();

describe.each(['sqlite', 'postgres'] as const)('the deployment root on %s', (dialect) => {
  it('is chosen once, its subtree loaded with zero rollups, and another root refused', async () => {
    const store = await open(dialect);
    await expect(deploymentTree(store)).rejects.toThrow(RootError);
    expect(await storedRoot(store)).toBeUndefined();
    expect(await establishRoot(store, '620000', 1_000)).toBe('620000');
    expect(await establishRoot(store, undefined, 2_000)).toBe('620000');
    await expect(establishRoot(store, '622900', 3_000)).rejects.toThrow(/tracks 620000 \(甘肃省\), not 622900/);
    expect((await storedRoot(store))?.code).toBe('620000');

    const tree = await deploymentTree(store);
    expect(tree.root).toMatchObject({ code: '620000', level: 'province', parentCode: null });
    expect(tree.children('620000').map((d) => d.code)).toContain('622900');
    expect(tree.ancestors('622921').map((d) => d.code)).toEqual(['622900', '620000']);
    expect(tree.isSchoolUnit('620200')).toBe(true); // 嘉峪关: a prefecture-level city with no counties
    expect(tree.counties('622900')).toHaveLength(8);
    const rollups = await store.q.select().from(store.t.divisionRollups);
    const stored = await store.q.select().from(store.t.divisions);
    expect(stored.length).toBeGreaterThan(100);
    expect(rollups.map((r) => r.divisionCode).sort()).toEqual(stored.map((d) => d.code).sort());
    expect(rollups.every((r) => r.schoolsRegistered === 0 && r.updatedAt === 1_000)).toBe(true);
  });

  it('reads a changed tree after a division is renamed, and confines to divisions it holds', async () => {
    const store = await open(dialect);
    await establishRoot(store, undefined, 1_000);
    const before = await deploymentTree(store);
    expect(await deploymentTree(store)).toBe(before); // unchanged: the tree built once is kept
    const { divisions } = store.t;
    await store.q.update(divisions).set({ name: '临夏县（新）' }).where(eqCode(store, '622921'));
    const after = await deploymentTree(store);
    expect(after.get('622921')?.name).toBe('临夏县（新）');
    expect(confineTo(after, '622900', 'API token')).toBeNull();
    expect(confineTo(after, '622921', 'API token')).toBe('622921');
    expect(() => confineTo(after, '620102', 'API token')).toThrow(/no division 620102 under this deployment's root/);
    expect(() => confineToCounty(after, '622900', 'county account')).toThrow(/622900 is a prefecture/);
    // Inside a transaction the tree reads the transaction's own view.
    const inside = await store.transaction(async (tx) => {
      await tx.q.update(divisions).set({ name: '康乐' }).where(eqCode(tx, '622922'));
      return (await deploymentTree(tx)).get('622922')?.name;
    });
    expect(inside).toBe('康乐');
  });
});

const eqCode = (store: Store, code: string) => eq(store.t.divisions.code, code);
