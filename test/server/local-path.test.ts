import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeLocalPath } from '../../server/http/local-path.ts';
import { createDashboardUsers, DashboardClient } from '../helpers/dashboard.ts';
import { createTestContext } from '../helpers/server.ts';

/*
 * The one rule for redirects whose target the request supplies (issue 11, item 3). A browser reads a
 * Location with the WHATWG URL parser relative to the page it is on, after dropping tabs and line breaks;
 * whatever the rule returns must land on the same origin when read that way, and be a valid header value.
 */
const site = 'https://santong.example.gov.cn';
const browserReads = (location: string) => new URL(location, `${site}/counties/622921?connected=false`);

// Pieces that have fooled prefix checks: slashes both ways, dot segments, whitespace browsers drop, schemes.
const piece = fc.oneof(
  fc.constantFrom(
    '/',
    '//',
    '\\',
    '.',
    '..',
    '%2e',
    '%2f',
    '%5c',
    '\t',
    '\n',
    '\r',
    ' ',
    '\u0000',
    '\u007f',
    '\u3000',
    '\ufeff',
    '@',
    ':',
    '?',
    '#',
    '%',
    '%09',
    '%0a',
    '%0d',
  ),
  fc.constantFrom(
    'evil.example',
    'javascript:',
    'http:',
    'https:',
    'data:',
    'file:',
    'santong.example.gov.cn',
    '127.0.0.1',
    '[::1]',
    'counties',
    '622921',
    '登录',
  ),
  fc.string({ maxLength: 4, unit: 'binary' }),
);
// Most real targets start with one slash, which is where prefix checks stop looking.
const target = fc
  .tuple(fc.constantFrom('/', '/', ''), fc.array(piece, { maxLength: 12 }))
  .map(([head, parts]) => head + parts.join(''));
const issueExamples: [string][] = [['/\t/evil.example'], ['/\n/x'], ['/\r/x'], ['/.//evil.example']];

function expectLocal(input: string) {
  const location = safeLocalPath(input);
  expect(location, JSON.stringify(input)).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
  expect(browserReads(location).origin, JSON.stringify(input)).toBe(site);
  expect(() => validateHeaderValue('location', location)).not.toThrow();
  expect(safeLocalPath(location)).toBe(location);
}

describe('safeLocalPath', () => {
  it('sends the attacks of issue 11 home, not away', () => {
    for (const attack of [
      '/\t/evil.example',
      '/\n/evil.example',
      '/\r/evil.example',
      '/.//evil.example',
      '/%2e//evil.example',
      '/..//evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      ' //evil.example',
      'https://evil.example/',
      'javascript:alert(1)',
    ]) {
      expectLocal(attack);
      expect(browserReads(safeLocalPath(attack)).host).not.toContain('evil');
    }
  });

  it('keeps local paths as they are, query and fragment included', () => {
    for (const path of [
      '/',
      '/counties/622921?connected=false&page=2',
      '/schools/6229210001#devices',
      '/declarations?status=withdrawn',
    ])
      expect(safeLocalPath(path)).toBe(path);
    expect(safeLocalPath('/schools?q=第一小学')).toBe('/schools?q=%E7%AC%AC%E4%B8%80%E5%B0%8F%E5%AD%A6');
    expect(safeLocalPath(undefined)).toBe('/');
  });

  it('yields a same-origin path, fit for a header, for any target', () => {
    fc.assert(
      fc.property(target, (input) => expectLocal(input)),
      { numRuns: 5_000, examples: issueExamples },
    );
  });

  it('never answers 500 or leaves the site through /lang/en?back= and /login?next=', { timeout: 60_000 }, async () => {
    const ctx = await createTestContext();
    try {
      const client = DashboardClient.forApp(ctx);
      await client.signIn((await createDashboardUsers(ctx)).bureau);
      await fc.assert(
        fc.asyncProperty(target, async (input) => {
          // Signed in, /login?next= redirects at once: the same rule as after the sign-in form.
          for (const path of [
            `/lang/en?back=${encodeURIComponent(input)}`,
            `/login?next=${encodeURIComponent(input)}`,
          ]) {
            const response = await client.get(path);
            expect(response.status).toBe(302);
            expect(browserReads(response.location!).origin).toBe(site);
          }
        }),
        { numRuns: 150, examples: issueExamples },
      );
    } finally {
      await ctx.cleanup();
    }
  });
});
