import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeDocs } from '../../server/app.ts';
import { DashboardClient } from '../helpers/dashboard.ts';
import { hostileDate, hostileNumber, hugeString, injection, injectionStrings } from './hostile-values.ts';
import { CaseCounter, createFuzzWorld, fingerprint, fuzzParameters, type FuzzWorld } from './fuzz-world.ts';

/*
 * Hostile form posts to every dashboard form the app serves (the login form included), signed in as the
 * bureau with a valid CSRF token so input reaches validation. Forms come from the app's route table, so
 * a new form is fuzzed without an edit here.
 */
let world: FuzzWorld;
beforeAll(async () => {
  world = await createFuzzWorld();
});
afterAll(() => world.ctx.cleanup());

/** Plausible values, so a case can be right except for the one field it breaks. */
const plausible: Record<string, string> = {
  username: 'fuzz-user',
  password: 'a long enough password 123',
  role: 'county',
  countyCode: '622921',
  schoolCode: '6229210001',
  name: '名字',
  reason: 'checked by the county office',
  expiresInDays: '30',
  maxUses: '5',
  next: '/',
  indicator: 'connected',
  classroomCode: '1',
  startsOn: '2027-01-15',
  endsOn: '2027-02-25',
  perCounty: '1',
  seed: 'fuzz',
  result: 'confirmed',
  note: '',
  kind: 'resource',
  level: 'county',
  ownerCode: '622921',
  url: 'http://127.0.0.1:9/',
  builtOn: '',
  lang: 'en',
};
const fieldNames = Object.keys(plausible);
const hostileField = fc.oneof(
  injection,
  hostileDate,
  hostileNumber.map(String),
  hugeString.map((s) => s.slice(0, 50_000)),
  fc.string({ maxLength: 20 }),
  fc.constantFrom('', ' ', 'bureau', '000000', '../../etc/passwd'),
);

describe('hostile dashboard forms', () => {
  it('no 5xx, a refused form changes nothing stored, and no injection string comes back unescaped', async () => {
    const documented = new Set(routeDocs.map((d) => `${d.method.toUpperCase()} ${d.path}`));
    const forms = [
      ...new Set(
        world.app.routes.filter((r) => r.method === 'POST' && !documented.has(`POST ${r.path}`)).map((r) => r.path),
      ),
    ];
    expect(forms).toContain('/login');
    const counter = new CaseCounter();
    const parameters = fuzzParameters(8_000, 300_000);
    const property = fc.asyncProperty(
      fc.constantFrom(...forms),
      fc.subarray(fieldNames),
      fc.array(fc.tuple(fc.nat(), hostileField), { maxLength: 4 }),
      fc.oneof(fc.constant('1'), fc.constant(''), hostileField),
      fc.constantFrom('valid', 'valid', 'valid', 'valid', 'missing', 'wrong'),
      async (form, fields, breaks, id, csrf) => {
        const values: Record<string, string> = Object.fromEntries(fields.map((f) => [f, plausible[f]!]));
        for (const [pick, value] of breaks) values[fieldNames[pick % fieldNames.length]!] = value;
        // An :id of another account (never the bureau's own, which would end the fuzzer's session) or something hostile.
        const userId = String(world.userIds[Number(id.length) % world.userIds.length]);
        const path = form.replace(
          ':id',
          form.startsWith('/admin/users') && id === '1' ? userId : encodeURIComponent(id),
        );
        // Signing out ends the session; do it in a browser of its own.
        const browser =
          form === '/logout' || form === '/login'
            ? new DashboardClient((p, i) => Promise.resolve(world.app.request(p, i)))
            : world.browser;
        if (browser !== world.browser) await browser.get('/login');
        if (csrf === 'wrong') values._csrf = 'not-the-token';
        const before = fingerprint(world.ctx.db, form === '/login' ? ['login_attempts', 'sessions'] : []);
        const page = await browser.post(path, values, { csrf: csrf === 'valid' });
        const after = fingerprint(world.ctx.db, form === '/login' ? ['login_attempts', 'sessions'] : []);
        counter.add(`POST ${form}`, page.status);
        const what = `POST ${path.slice(0, 200)} ${JSON.stringify(values).slice(0, 400)}`;
        expect(page.status, `${what} → ${page.text.slice(0, 400)}`).toBeLessThan(500);
        if (page.status >= 400) expect(after, `${what} → ${page.status} changed the database`).toEqual(before);
        if (/html/.test(page.headers.get('content-type') ?? ''))
          for (const s of injectionStrings.filter((x) => /[<>"]/.test(x)))
            expect(page.text.includes(s), `${what} reflected ${s} unescaped`).toBe(false);
        if (page.location?.startsWith('/login'))
          expect((await world.browser.get('/admin/users')).status, 'the fuzzing bureau session survived').toBe(200);
      },
    );
    try {
      await fc.assert(property, parameters);
    } finally {
      counter.print('fuzz-dashboard-forms', parameters.seed);
    }
    expect((await world.browser.get('/admin/users')).status, 'the fuzzing bureau session survived').toBe(200);
    expect(counter.total()).toBeGreaterThan(100);
  }, 400_000);
});
