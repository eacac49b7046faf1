import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestJson } from '../helpers/http.ts';
import { injectionStrings } from './hostile-values.ts';
import { createFuzzWorld, type FuzzWorld } from './fuzz-world.ts';

/*
 * Injection strings accepted as text are stored verbatim (the API gives them back byte for byte) and
 * come back escaped in every HTML page that shows them: the printable inspection checklist and the
 * dashboard pages. Nothing is "sanitised" on the way in: the audit trail keeps what was typed.
 */
const html = injectionStrings.filter((s) => /[<>"']/.test(s));
const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

let world: FuzzWorld;
beforeAll(async () => {
  world = await createFuzzWorld();
});
afterAll(() => world.ctx.cleanup());

describe('injection strings accepted as text', () => {
  it.each(html)('%s is stored verbatim and rendered escaped', async (text) => {
    const { app } = world;
    const bearer = world.bureauToken;
    const enrolled = await requestJson(app, 'POST', '/api/v1/enroll', {
      body: { token: world.enrollmentToken, hostname: text, hardware: { uuid: `u-${text}` } },
    });
    expect(enrolled.status).toBe(201);
    const declared = await requestJson(app, 'POST', '/api/v1/declarations', {
      bearer,
      body: { schoolCode: '6229210001', indicator: 'connected', reason: text },
    });
    expect(declared.status, JSON.stringify(declared.body)).toBe(201);
    try {
      await checkEverywhere(text);
    } finally {
      const withdrawn = await requestJson(app, 'POST', `/api/v1/declarations/${declared.body.id}/withdraw`, {
        bearer,
        body: { reason: text },
      });
      expect(withdrawn.status).toBe(200);
    }
  });
});

async function checkEverywhere(text: string) {
  const { app } = world;
  const bearer = world.bureauToken;
  const closure = await requestJson(app, 'POST', '/api/v1/closures', {
    bearer,
    body: {
      name: text.slice(0, 100),
      countyCode: '622921',
      startsOn: '2028-01-10',
      endsOn: '2028-02-20',
      reason: text,
    },
  });
  expect(closure.status, JSON.stringify(closure.body)).toBe(201);
  const platform = await requestJson(app, 'POST', '/api/v1/platforms', {
    bearer,
    body: {
      kind: 'resource',
      level: 'county',
      ownerCode: '622921',
      name: text,
      url: 'http://127.0.0.1:9/',
      reason: text,
    },
  });
  expect(platform.status, JSON.stringify(platform.body)).toBe(201);
  const inspection = await requestJson(app, 'POST', '/api/v1/inspections', {
    bearer,
    body: { perCounty: 500, seed: text },
  });
  expect(inspection.status).toBe(201);
  const finding = await requestJson(app, 'POST', `/api/v1/inspections/${inspection.body.id}/results`, {
    bearer,
    body: { schoolCode: '6229210001', result: 'discrepancy', note: text },
  });
  expect(finding.status, JSON.stringify(finding.body)).toBe(200);

  // Verbatim through the API.
  const devices = await requestJson(app, 'GET', '/api/v1/schools/6229210001/devices', { bearer });
  expect(JSON.stringify(devices.body)).toContain(JSON.stringify(text).slice(1, -1));
  const declarations = await requestJson(app, 'GET', '/api/v1/declarations', { bearer });
  expect(declarations.body.declarations.map((d: { reason: string }) => d.reason)).toContain(text);
  expect(
    (await requestJson(app, 'GET', '/api/v1/closures', { bearer })).body.closures.map((c: { name: string }) => c.name),
  ).toContain(text.slice(0, 100));
  expect(
    (await requestJson(app, 'GET', '/api/v1/platforms', { bearer })).body.platforms.map(
      (p: { name: string }) => p.name,
    ),
  ).toContain(text);
  const read = await requestJson(app, 'GET', `/api/v1/inspections/${inspection.body.id}`, { bearer });
  expect(read.body.seed).toBe(text);
  expect(read.body.schools.find((s: { schoolCode: string }) => s.schoolCode === '6229210001').note).toBe(text);

  // Escaped in HTML: the checklist shows hostnames, declaration reasons and the seed.
  const checklist = await app.request(`/api/v1/inspections/${inspection.body.id}/checklist`, {
    headers: { authorization: `Bearer ${bearer}` },
  });
  const page = await checklist.text();
  expect(checklist.status).toBe(200);
  expect(page).not.toContain(text);
  expect(page).toContain(escapeHtml(text));
  const shown: Record<string, string> = {
    '/schools/6229210001': text,
    '/calendar': text.slice(0, 100),
    '/platforms': text,
    [`/inspections/${inspection.body.id}`]: text,
    '/declarations': text,
  };
  for (const [path, expected] of Object.entries(shown)) {
    const dashboard = await world.browser.get(path);
    expect(dashboard.status, path).toBe(200);
    expect(dashboard.text, `${path} shows the raw string`).not.toContain(expected);
    expect(dashboard.text, `${path} does not show the escaped string`).toContain(escapeHtml(expected));
  }
  for (const path of ['/devices', '/counties/622921', '/'])
    expect((await world.browser.get(path)).text, path).not.toContain(text);
}
