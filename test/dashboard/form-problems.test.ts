import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readInspection } from '../../server/programme/inspections.ts';
import { hasProblemText } from '../../server/i18n/problem-text.ts';
import { problemsEn } from '../../server/i18n/problems-en.ts';
import { problemsZhCN } from '../../server/i18n/problems-zh-CN.ts';
import { repoRoot } from '../helpers/cli.ts';
import { createDashboardUsers, DashboardClient, seedDevices } from '../helpers/dashboard.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

/*
 * Issue 18 item 4: every refused dashboard form comes back on its own page, the problem said in the reader's
 * language (never the English meant for the API and the command line), with what was typed still in the form.
 * The walk below posts a wrong value to every form a signed-in page carries, in Chinese and in English.
 */
let ctx: TestContext;
afterEach(() => ctx?.cleanup());

interface FormCase {
  who: 'bureau' | 'county-a';
  /** The page the form is on (read first, for its CSRF token). */
  page: string;
  action: string;
  fields: Record<string, string>;
  status: 400 | 404 | 409;
  /** Fields whose typed value must be back in the form (a password never is). */
  kept: string[];
}

function cases(inspected: string, notInspected: string): FormCase[] {
  return [
    // The case: a school typed as something that is neither its code nor its name.
    {
      who: 'county-a',
      page: '/enrollment',
      action: '/enrollment',
      fields: { schoolCode: '临夏县第九十九小学', expiresInDays: '7', maxUses: '4' },
      status: 400,
      kept: ['schoolCode', 'expiresInDays', 'maxUses'],
    },
    {
      who: 'county-a',
      page: '/enrollment',
      action: '/enrollment',
      fields: { schoolCode: '6229210001', expiresInDays: '9999', maxUses: 'many' },
      status: 400,
      kept: ['schoolCode', 'expiresInDays', 'maxUses'],
    },
    { who: 'county-a', page: '/enrollment', action: '/enrollment/tokens/1/revoke', fields: {}, status: 409, kept: [] },
    {
      who: 'bureau',
      page: '/admin/users',
      action: '/admin/users',
      fields: { username: '新用户', password: 'short', role: 'school', countyCode: '', schoolCode: '' },
      status: 400,
      kept: ['username', 'role'],
    },
    {
      who: 'bureau',
      page: '/admin/users',
      action: '/admin/users',
      fields: { username: 'county-c', password: 'a long enough password', role: 'county', countyCode: '999999' },
      status: 400,
      kept: ['username', 'role', 'countyCode'],
    },
    {
      who: 'bureau',
      page: '/admin/users',
      action: '/admin/users',
      fields: { username: 'county-a', password: 'a long enough password', role: 'county', countyCode: '622921' },
      status: 409,
      kept: ['username', 'role', 'countyCode'],
    },
    { who: 'bureau', page: '/admin/users', action: '/admin/users/1/disable', fields: {}, status: 400, kept: [] },
    { who: 'bureau', page: '/admin/users', action: '/admin/users/2/enable', fields: {}, status: 409, kept: [] },
    {
      who: 'bureau',
      page: '/admin/users',
      action: '/admin/users/2/password',
      fields: { password: 'short' },
      status: 400,
      kept: [],
    },
    {
      who: 'bureau',
      page: '/admin/api-tokens',
      action: '/admin/api-tokens',
      fields: { name: '州教育云平台', countyCode: '6229' },
      status: 400,
      kept: ['name', 'countyCode'],
    },
    {
      who: 'bureau',
      page: '/admin/api-tokens',
      action: '/admin/api-tokens',
      fields: { name: '州教育云平台', countyCode: '999999' },
      status: 400,
      kept: ['name', 'countyCode'],
    },
    {
      who: 'bureau',
      page: '/admin/api-tokens',
      action: '/admin/api-tokens/99/revoke',
      fields: {},
      status: 409,
      kept: [],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations',
      fields: { schoolCode: '6229210001', indicator: 'equipped', classroomCode: '', reason: '投影机已安装' },
      status: 400,
      kept: ['schoolCode', 'indicator', 'reason'],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations',
      fields: { schoolCode: '6229210001', indicator: 'equipped', classroomCode: '99', reason: '投影机已安装' },
      status: 400,
      kept: ['schoolCode', 'indicator', 'classroomCode', 'reason'],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations',
      fields: { schoolCode: '6229219999', indicator: 'connected', classroomCode: '', reason: '光纤已通' },
      status: 404,
      kept: ['schoolCode', 'indicator', 'reason'],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations',
      fields: { schoolCode: '6229210002', indicator: 'connected', classroomCode: '', reason: '再申报一次' },
      status: 409,
      kept: ['schoolCode', 'indicator', 'reason'],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations/2/withdraw',
      fields: { reason: '错' },
      status: 400,
      kept: ['reason'],
    },
    {
      who: 'county-a',
      page: '/declarations',
      action: '/declarations/1/withdraw',
      fields: { reason: '报错了学校' },
      status: 409,
      kept: [],
    },
    {
      who: 'county-a',
      page: '/calendar',
      action: '/calendar',
      fields: { name: '寒假', countyCode: '622921', startsOn: '2027-02-25', endsOn: '2027-01-15', reason: '县校历' },
      status: 400,
      kept: ['name', 'countyCode', 'startsOn', 'endsOn', 'reason'],
    },
    {
      who: 'county-a',
      page: '/calendar',
      action: '/calendar',
      fields: { name: '寒假', countyCode: '622921', startsOn: '下周一', endsOn: '2027-01-15', reason: '县校历' },
      status: 400,
      kept: ['name', 'countyCode', 'startsOn', 'endsOn', 'reason'],
    },
    {
      who: 'county-a',
      page: '/calendar',
      action: '/calendar/1/remove',
      fields: { reason: '错' },
      status: 400,
      kept: ['reason'],
    },
    {
      who: 'county-a',
      page: '/calendar',
      action: '/calendar/99/remove',
      fields: { reason: '已取消的假期' },
      status: 404,
      kept: [],
    },
    {
      who: 'bureau',
      page: '/inspections',
      action: '/inspections',
      fields: { perCounty: '0', seed: '2027 春季抽查' },
      status: 400,
      kept: ['perCounty', 'seed'],
    },
    {
      who: 'county-a',
      page: '/inspections/1',
      action: '/inspections/1/results',
      fields: { schoolCode: inspected, result: 'discrepancy', note: '' },
      status: 400,
      kept: ['result'],
    },
    {
      who: 'county-a',
      page: '/inspections/1',
      action: '/inspections/1/results',
      fields: { schoolCode: notInspected, result: 'confirmed', note: '' },
      status: 404,
      kept: [],
    },
    { who: 'county-a', page: '/devices', action: '/devices/no-such-device/revoke', fields: {}, status: 404, kept: [] },
  ];
}

const decode = (html: string) =>
  html
    .replace(/<[^>]+>/g, '')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The problem shown on the page, with the values the person typed taken out (they are theirs, in any script). */
function problemOn(html: string, typed: Record<string, string>): string {
  const alert = /<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(html);
  let text = alert ? decode(alert[1]!) : '';
  for (const value of Object.values(typed).filter((v) => v.length > 0)) text = text.split(value).join('');
  return text;
}

// Three ASCII words in a row (`no school with`, `Too small: expected`) are English; codes and `#1` are not words.
const englishRun = /[A-Za-z]{2,}(?:[\s,;:'"()-]+[A-Za-z]{2,}){2,}/;
const chinese = /[\u4e00-\u9fff]/;

/** The posted form on the page: the post form with this action (for a row form shared by rows, the one for `school`). */
function formOn(html: string, action: string, school?: string): string {
  const forms = [...html.matchAll(/<form\b[^>]*>[\s\S]*?<\/form>/g)].map((m) => m[0]);
  const found = forms.filter(
    (f) =>
      f.includes('method="post"') &&
      f.includes(`action="${action}"`) &&
      (!school || f.includes(`name="schoolCode" value="${school}"`)),
  );
  if (found.length !== 1) throw new Error(`${found.length} forms posting to ${action} on the page`);
  return found[0]!;
}

/** What the form shows in field `name`: an input's value, a select's chosen option, a textarea's text. */
function shownIn(form: string, name: string): string | undefined {
  const input = new RegExp(`<input\\b[^>]*\\bname="${name}"[^>]*>`).exec(form);
  if (input) return /\bvalue="([^"]*)"/.exec(input[0])?.[1];
  const select = new RegExp(`<select\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(form);
  if (select) return /<option value="([^"]*)" selected=""/.exec(select[1]!)?.[1];
  const area = new RegExp(`<textarea\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(form);
  return area ? decode(area[1]!) : undefined;
}

async function setUp() {
  ctx = await createTestContext();
  await createDashboardUsers(ctx);
  await seedDevices(ctx);
  const bureau = DashboardClient.forApp(ctx);
  await bureau.signIn('bureau');
  await bureau.get('/inspections');
  expect((await bureau.post('/inspections', { perCounty: '1', seed: 'setup' })).status).toBe(303);
  const county = DashboardClient.forApp(ctx);
  await county.signIn('county-a');
  await county.get('/declarations');
  const declare = (schoolCode: string) =>
    county.post('/declarations', { schoolCode, indicator: 'connected', classroomCode: '', reason: '光纤已通' });
  expect((await declare('6229210002')).status).toBe(303);
  expect((await county.post('/declarations/1/withdraw', { reason: '报错了学校' })).status).toBe(303);
  expect((await declare('6229210002')).status).toBe(303);
  const closure = {
    name: '暑假',
    countyCode: '622921',
    startsOn: '2027-07-10',
    endsOn: '2027-08-31',
    reason: '县校历安排',
  };
  expect((await county.post('/calendar', closure)).status).toBe(303);
  await county.get('/enrollment');
  expect((await county.post('/enrollment/tokens/1/revoke', {})).status).toBe(303);
  const inCountyA = (await readInspection(ctx.store, 1)).schools.filter((s) => s.countyCode === '622921');
  const inspected = inCountyA[0]!.schoolCode;
  const notInspected = ['6229210001', '6229210002'].find((code) => code !== inspected)!;
  return { clients: { bureau, 'county-a': county }, all: cases(inspected, notInspected) };
}

describe('a refused dashboard form', () => {
  it('comes back on its page in the reader’s language, with what was typed kept', { timeout: 120_000 }, async () => {
    const { clients, all } = await setUp();
    const fieldNames = new Set<string>();
    for (const lang of ['zh-CN', 'en'] as const) {
      for (const client of Object.values(clients)) await client.get(`/lang/${lang}?back=/`);
      for (const form of all) {
        const where = `${lang} ${form.who} ${form.action} ${JSON.stringify(form.fields)}`;
        const client = clients[form.who];
        const page = await client.get(form.page);
        expect(page.status, where).toBe(200);
        for (const [, name] of page.text.matchAll(/<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"/g))
          fieldNames.add(name!);
        const refused = await client.post(form.action, form.fields);
        expect(refused.status, where).toBe(form.status);
        // The values in the form and in its address (a device id) are the person's, not the page's words.
        const problem = problemOn(refused.text, { ...form.fields, id: form.action.split('/')[2] ?? '' });
        expect(problem, where).not.toBe('');
        if (lang === 'zh-CN') {
          expect(problem, where).toMatch(chinese);
          expect(problem, where).not.toMatch(englishRun);
        } else {
          expect(problem, where).not.toMatch(chinese);
        }
        expect(refused.text, where).toContain(`<html lang="${lang}">`);
        if (form.kept.length === 0) continue;
        const shown = formOn(
          refused.text,
          form.action,
          form.fields.schoolCode && form.action.endsWith('/results') ? form.fields.schoolCode : undefined,
        );
        for (const name of form.kept) expect(shownIn(shown, name), `${where}: ${name}`).toBe(form.fields[name]);
        // A password is typed again, never sent back into the page.
        if (form.fields.password) expect(refused.text, where).not.toContain(form.fields.password);
      }
    }
    // Every field of every form on these pages has a label for the problems that name it, in both languages.
    const unlabelled = [...fieldNames].filter((name) => !(`field.${name}` in problemsZhCN) && name !== 'next');
    expect(unlabelled).toEqual([]);
    expect(Object.keys(problemsEn).sort()).toEqual(Object.keys(problemsZhCN).sort());
  });

  it('keeps the username typed in a refused sign-in', async () => {
    ctx = await createTestContext();
    await createDashboardUsers(ctx);
    const client = DashboardClient.forApp(ctx);
    await client.get('/login');
    const refused = await client.post('/login', { username: 'county-a', password: 'not the password' });
    expect(refused.status).toBe(401);
    expect(refused.text).toContain('用户名或密码不正确。');
    expect(shownIn(formOn(refused.text, '/login'), 'username')).toBe('county-a');
    expect(refused.text).not.toContain('not the password');
  });
});

describe('the problem texts', () => {
  it('have a text of their own for every code a dashboard form can meet', () => {
    // The domain rules behind the dashboard's forms, and the form routes themselves.
    const dirs = ['server/programme', 'server/accounts', 'server/enrollment', 'server/routes'];
    const files = dirs.flatMap((dir) =>
      fs
        .readdirSync(path.join(repoRoot, dir))
        .filter((f) => dir !== 'server/routes' || f.startsWith('dashboard'))
        .map((f) => path.join(repoRoot, dir, f)),
    );
    files.push(path.join(repoRoot, 'server/auth/api-tokens.ts'));
    const codes = new Set<string>();
    for (const file of files) {
      const source = fs.readFileSync(file, 'utf8');
      for (const m of source.matchAll(/new DomainError\(\s*'(invalid|conflict|not-found)',\s*'([a-z_]+)'/g))
        codes.add(m[2]!);
    }
    expect(codes.size).toBeGreaterThan(15);
    expect([...codes].filter((code) => !hasProblemText(code))).toEqual([]);
  });
});
