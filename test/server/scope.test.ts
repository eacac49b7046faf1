import { describe, expect, it } from 'vitest';
import type { ApiPrincipal, User } from '../../server/access/principals.ts';
import {
  assertCountyInScope,
  canSee,
  canSeeSchool,
  rowsFilter,
  scopeOfPrincipal,
  scopeOfUser,
} from '../../server/access/scope.ts';

const user = (role: User['role'], countyCode: string | null, schoolCode: string | null): User => ({
  id: 1,
  username: role,
  role,
  countyCode,
  schoolCode,
});
const token = (countyCode: string | null): ApiPrincipal => ({
  kind: 'api-token',
  id: 7,
  name: 't',
  countyCode,
  schoolCode: null,
});
const hanji = { code: '9921000001', countyCode: '622921' };

describe('one scope rule for sessions and tokens', () => {
  it('gives a user and a token with the same reach the same scope', () => {
    expect(scopeOfUser(user('bureau', null, null))).toEqual(scopeOfPrincipal(token(null)));
    expect(scopeOfUser(user('county', '622921', null))).toEqual(scopeOfPrincipal(token('622921')));
  });

  it('lets the prefecture see every county, a county its own, a school no county-wide figures', () => {
    expect(canSee({ kind: 'prefecture' }, '622921')).toBe(true);
    expect(canSee({ kind: 'county', countyCode: '622921' }, '622921')).toBe(true);
    expect(canSee({ kind: 'county', countyCode: '622921' }, '622922')).toBe(false);
    const school = scopeOfUser(user('school', '622921', '9921000001'));
    expect(canSee(school, '622921')).toBe(false);
    expect(canSeeSchool(school, hanji)).toBe(true);
    expect(canSeeSchool(school, { ...hanji, code: '9921000002' })).toBe(false);
    expect(canSeeSchool({ kind: 'county', countyCode: '622922' }, hanji)).toBe(false);
  });

  it('filters lists by the same scope', () => {
    expect(rowsFilter({ kind: 'prefecture' })).toEqual({ countyCode: null, schoolCode: null });
    expect(rowsFilter(scopeOfUser(user('school', '622921', '9921000001')))).toEqual({
      countyCode: '622921',
      schoolCode: '9921000001',
    });
  });

  it("refuses a county token another county's figures in words that name its scope", () => {
    expect(() => assertCountyInScope(token('622921'), '622922')).toThrow(
      'this token is scoped to county 622921; it cannot read county 622922',
    );
    expect(() => assertCountyInScope(token(null), '622922')).not.toThrow();
  });
});
