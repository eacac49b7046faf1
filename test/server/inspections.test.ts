import { afterEach, describe, expect, it } from 'vitest';
import { santong } from '../helpers/cli.ts';
import { requestJson } from '../helpers/http.ts';
import { makeReport } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

/** Forty schools in one county: most measured connected, a few declared only, one contradicted. */
function roster() {
  return Array.from({ length: 40 }, (_, i) => ({
    code: `62292100${String(i).padStart(2, '0')}`,
    name: `抽样测试学校${i}`,
    county_code: '622921',
    type_code: '211',
    urban_rural_code: '220',
    classroom_count: 1,
  }));
}

describe('spot checks (检查验收)', () => {
  it('draws the same schools for the same seed, weighted towards declared and contradicted statuses', async () => {
    ctx = await createTestContext({ clock: testClock('2027-03-01T02:00:00Z'), roster: roster() });
    const bureau = await ctx.apiToken();
    for (let i = 0; i < 4; i++) {
      await requestJson(ctx.app, 'POST', '/api/v1/declarations', {
        bearer: bureau,
        body: { schoolCode: `622921000${i}`, indicator: 'connected', reason: 'declared by county' },
      });
    }
    const draws: string[][] = [];
    for (const seed of ['2027-spring', '2027-spring', 'other']) {
      const drawn = await requestJson(ctx.app, 'POST', '/api/v1/inspections', {
        bearer: bureau,
        body: { perCounty: 4, seed },
      });
      expect(drawn.status).toBe(201);
      draws.push(drawn.body.schools.map((s: { schoolCode: string }) => s.schoolCode));
    }
    expect(draws[0]).toHaveLength(4);
    expect(draws[1]).toEqual(draws[0]);
    expect(draws[2]).not.toEqual(draws[0]);

    // Over many seeds (fixed, so this is deterministic) the 4 declared-only schools (weight 4) are drawn
    // far more often than their 10% share among 36 unconnected ones (weight 2): about 4·4/(4·4+36·2) ≈ 18%.
    let declaredDrawn = 0;
    const seeds = 60;
    for (let s = 0; s < seeds; s++) {
      const drawn = await requestJson(ctx.app, 'POST', '/api/v1/inspections', {
        bearer: bureau,
        body: { perCounty: 4, seed: `seed-${s}` },
      });
      declaredDrawn += drawn.body.schools.filter((x: { stratum: string }) => x.stratum === 'declared-only').length;
    }
    expect(declaredDrawn / (seeds * 4)).toBeGreaterThan(0.15);
  });

  it('records findings into the audit log and the school, prints a checklist with the evidence, and keeps counties apart', async () => {
    ctx = await createTestContext({ clock: testClock('2027-03-01T02:00:00Z') });
    const bureau = await ctx.apiToken();
    const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
      body: { token: await ctx.enrollmentToken('6229210001'), hostname: 'ops-panel-7', hardware: {}, classroom: '1' },
    });
    await requestJson(ctx.app, 'POST', '/api/v1/reports', {
      bearer: enrolled.body.deviceKey,
      body: { reports: [makeReport({ at: ctx.clock(), downMbps: 87.5 })] },
    });
    const drawn = (
      await requestJson(ctx.app, 'POST', '/api/v1/inspections', { bearer: bureau, body: { perCounty: 5, seed: 's' } })
    ).body;
    expect(drawn.schools.map((s: { schoolCode: string }) => s.schoolCode).sort()).toEqual([
      '6229210001',
      '6229210002',
      '6229220001',
    ]);

    const county = await ctx.apiToken('622921');
    const ownView = (await requestJson(ctx.app, 'GET', `/api/v1/inspections/${drawn.id}`, { bearer: county })).body;
    expect(ownView.schools.map((s: { countyCode: string }) => s.countyCode)).toEqual(['622921', '622921']);
    expect(
      (await requestJson(ctx.app, 'POST', '/api/v1/inspections', { bearer: county, body: { perCounty: 1, seed: 'x' } }))
        .status,
    ).toBe(403);

    const noNote = await requestJson(ctx.app, 'POST', `/api/v1/inspections/${drawn.id}/results`, {
      bearer: county,
      body: { schoolCode: '6229210002', result: 'discrepancy' },
    });
    expect(noNote.body.issues[0].path).toBe('note');
    expect(
      (
        await requestJson(ctx.app, 'POST', `/api/v1/inspections/${drawn.id}/results`, {
          bearer: county,
          body: { schoolCode: '6229220001', result: 'confirmed' },
        })
      ).status,
    ).toBe(403);
    const recorded = await requestJson(ctx.app, 'POST', `/api/v1/inspections/${drawn.id}/results`, {
      bearer: county,
      body: { schoolCode: '6229210002', result: 'discrepancy', note: '现场无网络' },
    });
    expect(recorded.status).toBe(200);
    const school = (await requestJson(ctx.app, 'GET', '/api/v1/schools/6229210002', { bearer: bureau })).body.school;
    expect(school.lastInspection).toMatchObject({ inspectionId: drawn.id, result: 'discrepancy', note: '现场无网络' });
    const audit = (await requestJson(ctx.app, 'GET', '/api/v1/audit?action=inspection.result', { bearer: bureau })).body
      .entries;
    expect(audit).toMatchObject([
      {
        entityId: '6229210002',
        reason: 'inspection found a discrepancy: 现场无网络',
        newValue: { result: 'discrepancy' },
      },
    ]);

    const checklist = await ctx.app.request(`/api/v1/inspections/${drawn.id}/checklist`, {
      headers: { authorization: `Bearer ${bureau}` },
    });
    expect(checklist.headers.get('content-type')).toContain('text/html');
    const html = await checklist.text();
    expect(html).toContain('测试第一小学');
    expect(html).toContain('ops-panel-7');
    expect(html).toContain('87.5 Mbps');
    expect(html.match(/<section>/g)).toHaveLength(3);
  });

  it('draws from the command line reproducibly', async () => {
    ctx = await createTestContext();
    ctx.db.$client.close();
    const first = await santong([
      'inspection',
      'sample',
      '--per-county',
      '1',
      '--seed',
      'spring-2027',
      '--data-dir',
      ctx.dataDir,
    ]);
    const second = await santong([
      'inspection',
      'sample',
      '--per-county',
      '1',
      '--seed',
      'spring-2027',
      '--data-dir',
      ctx.dataDir,
    ]);
    expect(first.code).toBe(0);
    const schools = (out: string) => out.trim().split('\n').slice(1);
    expect(schools(first.stdout)).toHaveLength(2);
    expect(schools(second.stdout)).toEqual(schools(first.stdout));
    const bad = await santong(['inspection', 'sample', '--seed', 'x', '--data-dir', ctx.dataDir]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--per-county');
  });
});
