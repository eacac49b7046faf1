import { afterEach, describe, expect, it } from 'vitest';
import { readAuditLog } from '../../server/audit/read.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * The programme's forms in the dashboard: each refuses a post without its CSRF token, checks scope on
 * the server whatever the form says, and leaves one audit entry naming the signed-in person.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

const audit = (action: string) => readAuditLog(ctx.store, { action, page: 1, pageSize: 50 });

async function signedIn(username: string) {
  const client = DashboardClient.forApp(ctx);
  await client.signIn(username);
  return client;
}

describe('every programme form refuses a post without its CSRF token', () => {
  it('changes nothing and writes no audit entry', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    await seedDevices(ctx);
    const bureau = await signedIn('bureau');
    await bureau.post('/inspections', { perCounty: '1', seed: 'setup' });
    const before = (await readAuditLog(ctx.store, { page: 1, pageSize: 1000 })).length;
    const forms: [string, Record<string, string>][] = [
      ['/declarations', { schoolCode: '6229210002', indicator: 'connected', reason: 'fibre is in' }],
      ['/declarations/1/withdraw', { reason: 'mistake' }],
      ['/calendar', { name: '寒假', startsOn: '2027-01-15', endsOn: '2027-02-25', reason: 'calendar' }],
      ['/calendar/1/remove', { reason: 'mistake' }],
      ['/inspections', { perCounty: '1', seed: 'again' }],
      ['/inspections/1/results', { schoolCode: '6229220001', result: 'confirmed' }],
      ['/admin/users/2/disable', {}],
      ['/admin/users/2/password', { password: 'a brand new password' }],
      ['/admin/api-tokens/1/revoke', {}],
      ['/enrollment/tokens/1/revoke', {}],
    ];
    for (const [path, fields] of forms) {
      const response = await bureau.post(path, fields, { csrf: false });
      expect(response.status, path).toBe(403);
      expect(response.text, path).toContain('表单已过期');
    }
    expect(await readAuditLog(ctx.store, { page: 1, pageSize: 1000 })).toHaveLength(before);
  });
});

describe('declarations page', () => {
  it('lets a county officer declare and withdraw for their county only, with the reason audited', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const officer = await signedIn('county-a');
    await officer.get('/declarations');
    const declared = await officer.post('/declarations', {
      schoolCode: '6229210002',
      indicator: 'connected',
      classroomCode: '',
      reason: '光纤已通，尚无电脑',
    });
    expect(declared.location).toBe('/declarations?declared=1');
    const list = await officer.get(declared.location!);
    expect(list.text).toContain('已记录申报 #1。');
    expect(list.text).toContain('光纤已通，尚无电脑');
    expect(await audit('declaration.create')).toEqual([
      expect.objectContaining({
        actor: 'user:county-a',
        reason: '光纤已通，尚无电脑',
        entityId: '1',
        countyCode: '622921',
      }),
    ]);

    // A classroom that does not exist is explained on the form; the same status twice is a 409 there too.
    const noRoom = await officer.post('/declarations', {
      schoolCode: '6229210001',
      indicator: 'equipped',
      classroomCode: '99',
      reason: 'projector fitted',
    });
    expect(noRoom.status).toBe(400);
    expect(noRoom.text).toContain('学校 6229210001 没有代码为 99 的教室。');
    expect(noRoom.text).toContain('>projector fitted</textarea>');
    expect(
      (await officer.post('/declarations', { schoolCode: '6229210002', indicator: 'connected', reason: 'again' }))
        .status,
    ).toBe(409);
    // No reason, no declaration: the API's rule holds for the form.
    expect(
      (await officer.post('/declarations', { schoolCode: '6229210001', indicator: 'connected', reason: '' })).status,
    ).toBe(400);

    // Another county's officer is refused by the server, for a declaration and a withdrawal alike.
    const other = await signedIn('county-b');
    await other.get('/declarations');
    expect(
      (await other.post('/declarations', { schoolCode: '6229210001', indicator: 'connected', reason: 'not mine' }))
        .status,
    ).toBe(403);
    expect((await other.post('/declarations/1/withdraw', { reason: 'not mine' })).status).toBe(403);
    const school = await signedIn('school-a1');
    await school.get('/schools/6229210001');
    expect(
      (await school.post('/declarations', { schoolCode: '6229210001', indicator: 'connected', reason: 'our own' }))
        .status,
    ).toBe(403);
    expect(await audit('declaration.create')).toHaveLength(1);

    expect((await officer.post('/declarations/1/withdraw', { reason: '' })).status).toBe(400);
    const withdrawn = await officer.post('/declarations/1/withdraw', { reason: 'declared the wrong school' });
    expect(withdrawn.location).toBe('/declarations?withdrawn=1&status=withdrawn');
    expect(await audit('declaration.withdraw')).toEqual([
      expect.objectContaining({ actor: 'user:county-a', reason: 'declared the wrong school' }),
    ]);
    expect((await officer.get('/declarations?status=active')).text).not.toContain('光纤已通，尚无电脑');
    const csv = (await officer.get('/declarations.csv?status=withdrawn')).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(csv).toHaveLength(2);
    expect(csv[1]).toContain('user:county-a');
  });
});

describe('school calendar page', () => {
  it('lets a county officer add and remove their county’s closures; prefecture-wide ones are the bureau’s', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const officer = await signedIn('county-a');
    await officer.get('/calendar');
    const added = await officer.post('/calendar', {
      name: '2027 寒假',
      countyCode: '622921',
      startsOn: '2027-01-15',
      endsOn: '2027-02-25',
      reason: '县校历',
    });
    expect(added.location).toBe('/calendar?added=1');
    expect(await audit('closure.create')).toEqual([
      expect.objectContaining({ actor: 'user:county-a', reason: '县校历', countyCode: '622921' }),
    ]);
    expect((await officer.get('/calendar')).text).toContain('2027 寒假');

    expect(
      (
        await officer.post('/calendar', {
          name: '全州停课',
          countyCode: '',
          startsOn: '2027-03-01',
          endsOn: '2027-03-02',
          reason: 'snow',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await officer.post('/calendar', {
          name: '康乐',
          countyCode: '622922',
          startsOn: '2027-03-01',
          endsOn: '2027-03-02',
          reason: 'snow',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await officer.post('/calendar', {
          name: 'backwards',
          countyCode: '622921',
          startsOn: '2027-03-02',
          endsOn: '2027-03-01',
          reason: 'snow',
        })
      ).status,
    ).toBe(400);

    const bureau = await signedIn('bureau');
    await bureau.get('/calendar');
    expect(
      (
        await bureau.post('/calendar', {
          name: '全州停课',
          countyCode: '',
          startsOn: '2027-03-01',
          endsOn: '2027-03-02',
          reason: 'snow',
        })
      ).location,
    ).toBe('/calendar?added=2');
    const other = await signedIn('county-b');
    const seen = await other.get('/calendar');
    expect(seen.text).toContain('全州停课');
    expect(seen.text).not.toContain('2027 寒假');
    expect((await other.post('/calendar/1/remove', { reason: 'not mine' })).status).toBe(403);
    expect((await officer.post('/calendar/2/remove', { reason: 'not mine either' })).status).toBe(403);

    expect((await officer.post('/calendar/1/remove', { reason: 'entered twice' })).location).toBe(
      '/calendar?removed=1',
    );
    expect(await audit('closure.remove')).toEqual([
      expect.objectContaining({ actor: 'user:county-a', reason: 'entered twice' }),
    ]);
  });
});

describe('inspections page', () => {
  it('lets the bureau draw, links the printable checklist, and lets a county officer record findings for their schools', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    await seedDevices(ctx);
    const officer = await signedIn('county-a');
    await officer.get('/inspections');
    expect((await officer.post('/inspections', { perCounty: '2', seed: 'mine' })).status).toBe(403);

    const bureau = await signedIn('bureau');
    await bureau.get('/inspections');
    const drawn = await bureau.post('/inspections', { perCounty: '2', seed: '2027-spring' });
    expect(drawn.location).toBe('/inspections/1');
    expect(await audit('inspection.draw')).toEqual([
      expect.objectContaining({ actor: 'user:bureau', reason: 'inspection drawn with seed 2027-spring' }),
    ]);
    expect((await bureau.get('/inspections')).text).toContain('2027-spring');

    const page = await officer.get('/inspections/1');
    expect(page.text).toContain('测试第一小学');
    expect(page.text).not.toContain('康乐测试中学');
    const checklist = await officer.get('/api/v1/inspections/1/checklist');
    expect(checklist.status).toBe(200);
    expect(checklist.text).toContain('6229210002');
    expect(checklist.text).not.toContain('6229220001');

    // A discrepancy needs a note; another county's school is refused; the finding is audited.
    expect(
      (await officer.post('/inspections/1/results', { schoolCode: '6229210002', result: 'discrepancy', note: '' }))
        .status,
    ).toBe(400);
    expect(
      (await officer.post('/inspections/1/results', { schoolCode: '6229220001', result: 'confirmed' })).status,
    ).toBe(403);
    const recorded = await officer.post('/inspections/1/results', {
      schoolCode: '6229210002',
      result: 'discrepancy',
      note: '现场无网络',
    });
    expect(recorded.location).toBe('/inspections/1?recorded=6229210002');
    expect(await audit('inspection.result')).toEqual([
      expect.objectContaining({
        actor: 'user:county-a',
        entityId: '6229210002',
        reason: 'inspection found a discrepancy: 现场无网络',
      }),
    ]);
    expect((await officer.get('/schools/6229210002')).text).toContain('检查验收 #1');
  });
});
