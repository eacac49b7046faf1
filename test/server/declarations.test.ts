import { afterEach, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import { makeReport, projector } from '../helpers/reports.ts';
import { createTestContext, testClock, type TestContext } from '../helpers/server.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const api = (method: string, path: string, bearer: string, body?: unknown) =>
  requestJson(ctx.app, method, path, { bearer, body });
async function device(school: string, classroom?: string) {
  const enrolled = await requestJson(ctx.app, 'POST', '/api/v1/enroll', {
    body: {
      token: await ctx.enrollmentToken(school),
      hostname: 'pc',
      hardware: { uuid: crypto.randomUUID() },
      ...(classroom ? { classroom } : {}),
    },
  });
  return (options: Parameters<typeof makeReport>[0]) =>
    requestJson(ctx.app, 'POST', '/api/v1/reports', {
      body: { reports: [makeReport(options)] },
      bearer: enrolled.body.deviceKey,
    });
}

describe('declared vs measured', () => {
  it('keeps declared figures apart in every coverage figure, and a measurement supersedes the declaration', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const county = await ctx.apiToken('622921');
    const declared = await api('POST', '/api/v1/declarations', county, {
      schoolCode: '6229210002',
      indicator: 'connected',
      reason: '光纤已通，尚无电脑安装代理',
    });
    expect(declared.status).toBe(201);
    expect(declared.body).toMatchObject({
      indicator: 'connected',
      declaredBy: expect.stringMatching(/^api-token:\d+$/),
      measured: false,
      conflict: false,
    });
    expect(
      (
        await api('POST', '/api/v1/declarations', county, {
          schoolCode: '6229210001',
          indicator: 'equipped',
          classroomCode: '2',
          reason: '投影仪已安装',
        })
      ).status,
    ).toBe(201);

    const bureau = await ctx.apiToken();
    let coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.schools).toMatchObject({ connected: 0, declaredConnected: 1, declarationConflicts: 0 });
    expect(coverage.classrooms).toMatchObject({ equipped: 0, declaredEquipped: 1 });
    const school = (await api('GET', '/api/v1/schools/6229210002', bureau)).body.school;
    expect(school).toMatchObject({ connected: false, declaredConnected: true });
    const classrooms = (await api('GET', '/api/v1/schools/6229210001/classrooms', bureau)).body.classrooms;
    expect(
      classrooms.map((c: { equipped: boolean; declaredEquipped: boolean }) => [c.equipped, c.declaredEquipped]),
    ).toEqual([
      [false, false],
      [false, true],
      [false, false],
    ]);
    const declaredOnly = (await api('GET', '/api/v1/coverage/counties/622921?declaredConnected=true', bureau)).body
      .schools.rows;
    expect(declaredOnly.map((r: { code: string }) => r.code)).toEqual(['6229210002']);

    const send = await device('6229210001', '2');
    await send({ at: T0, displays: [projector] });
    coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.classrooms).toMatchObject({ equipped: 1, declaredEquipped: 0 });
    const list = (await api('GET', '/api/v1/declarations', bureau)).body.declarations;
    expect(list.find((d: { indicator: string }) => d.indicator === 'equipped')).toMatchObject({ measured: true });
  });

  it('flags a declaration that every report of the school contradicts', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const bureau = await ctx.apiToken();
    await api('POST', '/api/v1/declarations', bureau, {
      schoolCode: '6229210002',
      indicator: 'connected',
      reason: 'county says connected',
    });
    const send = await device('6229210002');
    await send({ at: T0, reachable: false });
    const coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.schools).toMatchObject({ connected: 0, declaredConnected: 1, declarationConflicts: 1 });
    expect((await api('GET', '/api/v1/declarations?conflict=true', bureau)).body.declarations).toHaveLength(1);
    expect(
      (await api('GET', '/api/v1/coverage/counties/622921?conflict=true', bureau)).body.schools.rows.map(
        (r: { code: string }) => r.code,
      ),
    ).toEqual(['6229210002']);
    // Once the no-internet reports leave the window, nothing contradicts the declaration any more.
    ctx.clock.set(T0 + 30 * DAY + 1);
    expect((await api('GET', '/api/v1/coverage', bureau)).body.schools.declarationConflicts).toBe(0);
  });

  it('requires a reason, a classroom for equipped, the county’s own schools, and records withdrawals', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const county = await ctx.apiToken('622921');
    const noReason = await api('POST', '/api/v1/declarations', county, {
      schoolCode: '6229210002',
      indicator: 'connected',
      reason: '',
    });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues[0].path).toBe('reason');
    expect(
      (
        await api('POST', '/api/v1/declarations', county, {
          schoolCode: '6229210002',
          indicator: 'equipped',
          reason: 'x y z',
        })
      ).body.issues[0].path,
    ).toBe('classroomCode');
    expect(
      (
        await api('POST', '/api/v1/declarations', county, {
          schoolCode: '6229220001',
          indicator: 'connected',
          reason: 'not mine',
        })
      ).status,
    ).toBe(403);

    const { body } = await api('POST', '/api/v1/declarations', county, {
      schoolCode: '6229210002',
      indicator: 'connected',
      reason: 'fibre in',
    });
    expect(
      (
        await api('POST', '/api/v1/declarations', county, {
          schoolCode: '6229210002',
          indicator: 'connected',
          reason: 'again',
        })
      ).status,
    ).toBe(409);
    const withdrawn = await api('POST', `/api/v1/declarations/${body.id}/withdraw`, county, {
      reason: 'typed in error',
    });
    expect(withdrawn.body.withdrawnAt).not.toBeNull();
    expect((await api('GET', '/api/v1/coverage', county)).body.schools.declaredConnected).toBe(0);

    const audit = (await api('GET', `/api/v1/audit?entityType=declaration&entityId=${body.id}`, await ctx.apiToken()))
      .body.entries;
    expect(audit.map((e: { action: string; reason: string }) => [e.action, e.reason])).toEqual([
      ['declaration.withdraw', 'typed in error'],
      ['declaration.create', 'fibre in'],
    ]);
    expect((await api('GET', '/api/v1/audit', county)).status).toBe(403);
  });
});

describe('school calendar', () => {
  it('pauses evidence ageing through a closure, exactly at the window edges', async () => {
    const start = Date.parse('2027-01-08T00:00:00+08:00');
    ctx = await createTestContext({ clock: testClock(start) });
    const bureau = await ctx.apiToken();
    const send = await device('6229210001');
    await send({ at: start });
    const holiday = await api('POST', '/api/v1/closures', bureau, {
      name: '寒假 2027',
      startsOn: '2027-01-15',
      endsOn: '2027-02-25',
      reason: 'winter holiday',
    });
    expect(holiday.status).toBe(201);
    // Deep in the holiday the PC has been quiet for 7 school days only: at risk, not silent.
    ctx.clock.set(Date.parse('2027-02-20T00:00:00+08:00'));
    expect((await api('GET', '/api/v1/coverage', bureau)).body.devices).toMatchObject({
      live: 0,
      atRisk: 1,
      silent: 0,
    });
    // Open time since the report: 7 days before the holiday; the 42 holiday days do not count.
    const holidayDays = 42 * DAY;
    ctx.clock.set(start + 30 * DAY + holidayDays);
    let coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.schools.connected).toBe(1);
    ctx.clock.set(start + 30 * DAY + holidayDays + 1);
    coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.schools.connected).toBe(0);
  });

  it('confines a county token to closures of its county', async () => {
    ctx = await createTestContext();
    const county = await ctx.apiToken('622921');
    expect(
      (
        await api('POST', '/api/v1/closures', county, {
          name: '全州寒假',
          startsOn: '2027-01-15',
          endsOn: '2027-02-25',
          reason: 'r r r',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api('POST', '/api/v1/closures', county, {
          name: '县运动会',
          countyCode: '622922',
          startsOn: '2027-05-01',
          endsOn: '2027-05-02',
          reason: 'r r r',
        })
      ).status,
    ).toBe(403);
    const own = await api('POST', '/api/v1/closures', county, {
      name: '县运动会',
      countyCode: '622921',
      startsOn: '2027-05-01',
      endsOn: '2027-05-02',
      reason: 'sports days',
    });
    expect(own.status).toBe(201);
    const backwards = await api('POST', '/api/v1/closures', county, {
      name: 'x',
      countyCode: '622921',
      startsOn: '2027-05-03',
      endsOn: '2027-05-02',
      reason: 'r r r',
    });
    expect(backwards.body.issues[0].path).toBe('endsOn');
  });
});

describe('the whole programme in one coverage answer', () => {
  it('answers teacher spaces and platforms beside measured figures, each marked for what it is', async () => {
    ctx = await createTestContext({ clock: testClock(T0) });
    const bureau = await ctx.apiToken();
    await api('PUT', '/api/v1/schools/6229210001/teacher-spaces', bureau, {
      teachers: 40,
      spacesOpened: 30,
      spacesVerified: 20,
      reason: 'operator export March',
    });
    const coverage = (await api('GET', '/api/v1/coverage', bureau)).body;
    expect(coverage.teacherSpaces).toMatchObject({
      target: 17859,
      teachers: 40,
      opened: 30,
      verified: 20,
      declared: true,
      progress: { status: 'behind' },
    });
    expect(coverage.platforms.levels.map((l: { level: string }) => l.level)).toEqual([
      'prefecture',
      'county',
      'centre-school',
    ]);
    const county = (await api('GET', '/api/v1/coverage', await ctx.apiToken('622921'))).body;
    expect(county.teacherSpaces).toMatchObject({ target: null, teachers: 40, opened: 30 });
  });
});
