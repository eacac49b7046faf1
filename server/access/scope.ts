import { DomainError } from '../errors.ts';
import type { ApiPrincipal, User } from './principals.ts';

/*
 * Who may see what: the one home of the rule, for dashboard sessions and API tokens alike, checked on
 * the server for every page, export, form and API read. The bureau sees the whole prefecture, a county
 * officer or a county token one county, school staff one school.
 */

/**
 * The part of the prefecture someone may see. Issue 13 widens this to any division level (province →
 * prefecture → county): `prefecture` and `county` then become one `{ kind: 'division', divisionCode }`,
 * and only `canSee` learns to walk the tree; callers keep asking `canSee` and `rowsFilter`.
 */
export type Scope =
  | { kind: 'prefecture' }
  | { kind: 'county'; countyCode: string }
  | { kind: 'school'; countyCode: string; schoolCode: string };

/** A dashboard user's scope, from their role (createUser stores the codes the role needs). */
export function scopeOfUser(user: User): Scope {
  if (user.role === 'bureau') return { kind: 'prefecture' };
  if (user.role === 'county') return { kind: 'county', countyCode: user.countyCode! };
  return { kind: 'school', countyCode: user.countyCode!, schoolCode: user.schoolCode! };
}

/** An API principal's scope, from the codes it carries (a session's are its user's; a token has no school). */
export function scopeOfPrincipal(principal: ApiPrincipal): Scope {
  if (principal.schoolCode !== null)
    return { kind: 'school', countyCode: principal.countyCode!, schoolCode: principal.schoolCode };
  return principal.countyCode === null ? { kind: 'prefecture' } : { kind: 'county', countyCode: principal.countyCode };
}

/** Whether the scope covers this county's figures and school list (a school's scope covers no county-wide figures). */
export function canSee(scope: Scope, countyCode: string): boolean {
  return scope.kind === 'prefecture' || (scope.kind === 'county' && scope.countyCode === countyCode);
}

/**
 * Whether the scope covers this division's figures: any division for the root's scope, a county's own for a
 * county's. (Issue 13 item 5 widens scopes to any division; this is the one function that learns it.)
 */
export function canSeeDivision(scope: Scope, divisionCode: string): boolean {
  return scope.kind === 'prefecture' || (scope.kind === 'county' && scope.countyCode === divisionCode);
}

/** Whether the scope covers this school. */
export function canSeeSchool(scope: Scope, school: { code: string; countyCode: string }): boolean {
  return scope.kind === 'school' ? scope.schoolCode === school.code : canSee(scope, school.countyCode);
}

/** The rows filter for lists: null = every county, else one county, optionally one school. */
export function rowsFilter(scope: Scope): { countyCode: string | null; schoolCode: string | null } {
  if (scope.kind === 'prefecture') return { countyCode: null, schoolCode: null };
  return { countyCode: scope.countyCode, schoolCode: scope.kind === 'school' ? scope.schoolCode : null };
}

// Dashboard pages: the user's scope, refused in the words a page shows.

/** Throws 403 unless the user may see the county. */
export function assertCanSeeCounty(user: User, countyCode: string): void {
  if (!canSee(scopeOfUser(user), countyCode))
    throw new DomainError('forbidden', 'out_of_scope', `your account cannot see county ${countyCode}`);
}

/** Throws 403 unless the user may see the division (its figures and its children's). */
export function assertCanSeeDivision(user: User, divisionCode: string): void {
  if (!canSeeDivision(scopeOfUser(user), divisionCode))
    throw new DomainError('forbidden', 'out_of_scope', `your account cannot see division ${divisionCode}`);
}

/** Throws 403 unless the user may see the school. */
export function assertCanSeeSchool(user: User, school: { code: string; countyCode: string }): void {
  if (!canSeeSchool(scopeOfUser(user), school))
    throw new DomainError('forbidden', 'out_of_scope', `your account cannot see school ${school.code}`);
}

/** Throws 403 unless the user has one of the roles. */
export function assertRole(user: User, ...roles: User['role'][]): void {
  if (!roles.includes(user.role))
    throw new DomainError('forbidden', 'role_required', `this needs a ${roles.join(' or ')} account`);
}

/** The rows filter for a user's lists. */
export function listScope(user: User): { countyCode: string | null; schoolCode: string | null } {
  return rowsFilter(scopeOfUser(user));
}

// The bureau API: a token's or a session's scope, refused in words that say where to read instead.

/** The county a county-wide read is confined to (null: all); throws 403 for a school account. */
export function countyScopeOf(principal: ApiPrincipal): string | null {
  const scope = scopeOfPrincipal(principal);
  if (scope.kind === 'school') {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${scope.schoolCode} only; read /api/v1/schools/${scope.schoolCode}`,
    );
  }
  return rowsFilter(scope).countyCode;
}

/** Throws 403 unless the principal may see this county (a school account sees no county-wide figures). */
export function assertCountyInScope(principal: ApiPrincipal, countyCode: string): void {
  const scopeCounty = countyScopeOf(principal);
  if (!canSee(scopeOfPrincipal(principal), countyCode)) {
    const who = principal.kind === 'api-token' ? 'this token is' : 'your account is';
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `${who} scoped to county ${scopeCounty}; it cannot read county ${countyCode}`,
    );
  }
}

/** Throws 403 unless the principal may see this school. */
export function assertSchoolInScope(principal: ApiPrincipal, school: { code: string; county: { code: string } }): void {
  const scope = scopeOfPrincipal(principal);
  if (scope.kind !== 'school') return assertCountyInScope(principal, school.county.code);
  if (!canSeeSchool(scope, { code: school.code, countyCode: school.county.code })) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${scope.schoolCode} only; it cannot read school ${school.code}`,
    );
  }
}

/** Throws 403 unless the principal sees the whole prefecture (prefecture-wide changes, the audit log). */
export function assertBureauWide(principal: ApiPrincipal): void {
  if (scopeOfPrincipal(principal).kind !== 'prefecture') {
    throw new DomainError('forbidden', 'bureau_only', 'this needs a prefecture-wide token or a bureau account');
  }
}
