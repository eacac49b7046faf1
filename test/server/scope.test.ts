import { describe, expect, it } from 'vitest';
import type { ApiPrincipal, User } from '../../server/access/principals.ts';
import {
  assertBureauWide,
  assertDivisionInScope,
  canSee,
  canSeeDivision,
  canSeeSchool,
  rowsFilter,
  scopeOfPrincipal,
  scopeOfUser,
  type Scope,
} from '../../server/access/scope.ts';
import { divisionContains, divisionPrefix } from '../../server/divisions/containment.ts';

const user = (role: User['role'], divisionCode: string | null, schoolCode: string | null): User => ({
  id: 1,
  username: role,
  role,
  divisionCode,
  schoolCode,
});
const token = (divisionCode: string | null): ApiPrincipal => ({
  kind: 'api-token',
  id: 7,
  name: 't',
  divisionCode,
  schoolCode: null,
});
const division = (divisionCode: string | null): Scope => ({ kind: 'division', divisionCode });
const hanji = { code: '9921000001', countyCode: '622921' };

describe('one scope rule for sessions and tokens', () => {
  it('gives a user and a token with the same reach the same scope', () => {
    expect(scopeOfUser(user('bureau', null, null))).toEqual(scopeOfPrincipal(token(null)));
    expect(scopeOfUser(user('county', '622921', null))).toEqual(scopeOfPrincipal(token('622921')));
  });

  it('lets the root see every county, a county its own, a school no county-wide figures', () => {
    expect(canSee(division(null), '622921')).toBe(true);
    expect(canSee(division('622921'), '622921')).toBe(true);
    expect(canSee(division('622921'), '622922')).toBe(false);
    const school = scopeOfUser(user('school', '622921', '9921000001'));
    expect(canSee(school, '622921')).toBe(false);
    expect(canSeeSchool(school, hanji)).toBe(true);
    expect(canSeeSchool(school, { ...hanji, code: '9921000002' })).toBe(false);
    expect(canSeeSchool(division('622922'), hanji)).toBe(false);
  });

  it('lets a division see itself and every division under it, by GB/T 2260 code shape', () => {
    expect(divisionPrefix('000000')).toBe('');
    expect(divisionPrefix('620000')).toBe('62');
    expect(divisionPrefix('622900')).toBe('6229');
    expect(divisionPrefix('622921')).toBe('622921');
    expect(divisionContains('000000', '622921')).toBe(true);
    // A province-administered county-level city (省直辖, Hubei's 仙桃 429004) lies in its province.
    expect(divisionContains('420000', '429004')).toBe(true);
    const province = division('620000');
    const prefecture = division('622900');
    expect(canSeeDivision(province, '622900')).toBe(true);
    expect(canSeeDivision(province, '620102')).toBe(true);
    expect(canSeeDivision(province, '630000')).toBe(false);
    expect(canSeeDivision(prefecture, '622900')).toBe(true);
    expect(canSeeDivision(prefecture, '622921')).toBe(true);
    expect(canSeeDivision(prefecture, '620000')).toBe(false);
    expect(canSeeDivision(prefecture, '620102')).toBe(false);
    expect(canSeeDivision(division('622921'), '622900')).toBe(false);
    expect(canSeeSchool(prefecture, hanji)).toBe(true);
    expect(scopeOfUser(user('bureau', '622900', null))).toEqual(scopeOfPrincipal(token('622900')));
  });

  it('filters lists by the same scope', () => {
    expect(rowsFilter(division(null))).toEqual({ divisionCode: null, schoolCode: null });
    expect(rowsFilter(division('622900'))).toEqual({ divisionCode: '622900', schoolCode: null });
    expect(rowsFilter(scopeOfUser(user('school', '622921', '9921000001')))).toEqual({
      divisionCode: '622921',
      schoolCode: '9921000001',
    });
  });

  it("refuses a confined token another division's figures in words that name its scope", () => {
    expect(() => assertDivisionInScope(token('622921'), '622922')).toThrow(
      'this token is scoped to division 622921; it cannot read division 622922',
    );
    expect(() => assertDivisionInScope(token('622900'), '620102')).toThrow('scoped to division 622900');
    expect(() => assertDivisionInScope(token('622900'), '622922')).not.toThrow();
    expect(() => assertDivisionInScope(token(null), '622922')).not.toThrow();
  });

  it('keeps deployment-wide changes for the root scope', () => {
    expect(() => assertBureauWide(token(null))).not.toThrow();
    expect(() => assertBureauWide(token('622900'))).toThrow('confined to division 622900');
  });
});
