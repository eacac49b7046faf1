import fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { readCoverage } from '../../server/coverage/read.ts';
import { PlanError } from '../../server/plan/current.ts';
import { planSchema, type Plan } from '../../shared/schemas/plan.ts';
import { importPlan } from '../../server/programme/plan-import.ts';
import { santong } from '../helpers/cli.ts';
import { byTest, createTestContext, testClock, type TestContext } from '../helpers/server.ts';

/*
 * Targets per division (issue 13 item 4): a Gansu plan gives Linxia (622900) absolute counts and leaves every other
 * division to the plan's shares; a second plan has an absolute count for the province and a share for Lanzhou.
 * The coverage answer's target is the division's own entry, else the plan's share, else the root's count at the root.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const school = (code: string, county: string, classrooms: number) => ({
  code,
  name: `测试学校${code}`,
  county_code: county,
  type_code: '211',
  urban_rural_code: '121',
  classroom_count: classrooms,
});
/** Linxia county 622921: 3 schools, 7 classrooms; Lanzhou's Chengguan 620102: 2 schools, 10 classrooms. */
const roster = [
  school('6229210001', '622921', 3),
  school('6229210002', '622921', 2),
  school('6229210003', '622921', 2),
  school('6201020001', '620102', 4),
  school('6201020002', '620102', 6),
];

const indicator = (goal: { share: number } | { target: number }) => ({ ...goal, targetYear: 2020 });
const gansuPlan = (targets: Plan['targets'], schoolsConnected: { share: number } | { target: number }) => ({
  name: '甘肃省测试规划',
  startYear: 2016,
  endYear: 2020,
  root: { code: '620000', name: '甘肃省' },
  targets,
  indicators: {
    schoolsConnected: indicator(schoolsConnected),
    classroomsEquipped: indicator({ share: 0.9 }),
    teacherSpaces: indicator({ share: 1 }),
  },
});

const targetsAt = async (code: string | null) => {
  const c = await readCoverage(ctx.store, code, ctx.clock());
  return {
    schools: [c.schools.target, c.schools.targetShare],
    classrooms: [c.classrooms.target, c.classrooms.targetShare],
  };
};

describe('targets per division', () => {
  it('reads Linxia’s own absolute targets, and the plan’s shares at every other level (plan import)', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster });
    const file = `${ctx.dataDir}/gansu-plan.json`;
    const targets = [{ division: '622900', schoolsConnected: { target: 2 }, classroomsEquipped: { target: 5 } }];
    fs.writeFileSync(file, JSON.stringify(gansuPlan(targets, { share: 1 })));
    const run = await santong(['plan', 'import', file, '--data-dir', ctx.dataDir]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    expect(await targetsAt(null)).toEqual({ schools: [5, 1], classrooms: [16, 0.9] }); // 0.9 × 17 = 15.3 → 16
    expect(await targetsAt('622900')).toEqual({ schools: [2, null], classrooms: [5, null] });
    expect(await targetsAt('622921')).toEqual({ schools: [3, 1], classrooms: [7, 0.9] }); // 0.9 × 7 = 6.3 → 7
    expect(await targetsAt('620100')).toEqual({ schools: [2, 1], classrooms: [9, 0.9] });
    expect(await targetsAt('620102')).toEqual({ schools: [2, 1], classrooms: [9, 0.9] });
    expect(await targetsAt('620500')).toEqual({ schools: [0, 1], classrooms: [0, 0.9] });
  });

  it('keeps an absolute plan count at the root only, under a division’s own share', async () => {
    ctx = await createTestContext({ clock: testClock('2026-03-02T08:00:00Z'), root: '620000', roster });
    const targets = [{ division: '620100', schoolsConnected: { share: 0.5 } }];
    await importPlan(ctx.store, planSchema.parse(gansuPlan(targets, { target: 4 })), 'test', ctx.clock(), byTest);
    expect((await targetsAt(null)).schools).toEqual([4, null]);
    expect((await targetsAt('620100')).schools).toEqual([1, 0.5]);
    expect((await targetsAt('620102')).schools).toEqual([null, null]);
    expect((await targetsAt('622900')).schools).toEqual([null, null]);
    expect((await targetsAt('622921')).classrooms).toEqual([7, 0.9]);
  });

  it('refuses targets for a division outside the tree, naming the entry, and a duplicate or empty entry', async () => {
    ctx = await createTestContext({ root: '620000', roster });
    const outside = gansuPlan(
      [
        { division: '622900', schoolsConnected: { target: 2 } },
        { division: '610100', schoolsConnected: { share: 1 } },
      ],
      { share: 1 },
    );
    await expect(importPlan(ctx.store, planSchema.parse(outside), 'test', ctx.clock(), byTest)).rejects.toThrow(
      PlanError,
    );
    await expect(importPlan(ctx.store, planSchema.parse(outside), 'test', ctx.clock(), byTest)).rejects.toThrow(
      "targets: not divisions of this deployment's tree (root 620000): targets[1] 610100",
    );
    const twice = planSchema.safeParse(
      gansuPlan([{ division: '622900', schoolsConnected: { target: 2 } }, { division: '622900' }], { share: 1 }),
    );
    expect(twice.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['targets.1.division', 'division 622900 has targets twice'],
      ['targets.1', 'targets of 622900 name no indicator (schoolsConnected, classroomsEquipped, teacherSpaces)'],
    ]);
    const both = planSchema.safeParse(
      gansuPlan([{ division: '622900', schoolsConnected: { target: 2, share: 1 } as never }], { share: 1 }),
    );
    expect(both.success).toBe(false);
  });
});
