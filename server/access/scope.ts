import { DomainError } from '../errors.ts';
import { divisionContains } from '../divisions/containment.ts';
import type { ApiPrincipal, User } from './principals.ts';

/*
 * Who may see what: the one home of the rule, for dashboard sessions and API tokens alike, checked on
 * the server for every page, export, form and API read. A bureau account or token sees a division — the
 * deployment's root (divisionCode null) or any division under it, a province, prefecture or county
 * (decision 150) — a county officer one county, school staff one school.
 */

/** The part of the deployment someone may see: a division (null: the root, everything) or one school. */
export type Scope =
  { kind: 'division'; divisionCode: string | null } | { kind: 'school'; countyCode: string; schoolCode: string };

/** A dashboard user's scope, from their role (createUser stores the codes the role needs). */
export function scopeOfUser(user: User): Scope {
  if (user.role === 'school') return { kind: 'school', countyCode: user.divisionCode!, schoolCode: user.schoolCode! };
  return { kind: 'division', divisionCode: user.divisionCode };
}

/** An API principal's scope, from the codes it carries (a session's are its user's; a token has no school). */
export function scopeOfPrincipal(principal: ApiPrincipal): Scope {
  if (principal.schoolCode !== null)
    return { kind: 'school', countyCode: principal.divisionCode!, schoolCode: principal.schoolCode };
  return { kind: 'division', divisionCode: principal.divisionCode };
}

/** Whether the scope is the whole deployment (the root). */
export function isRootScope(scope: Scope): boolean {
  return scope.kind === 'division' && scope.divisionCode === null;
}

/**
 * Whether the scope covers this division's figures and school list: a division scope covers itself and every
 * division under it; a school's scope covers no division-wide figures.
 */
export function canSeeDivision(scope: Scope, divisionCode: string): boolean {
  if (scope.kind !== 'division') return false;
  return scope.divisionCode === null || divisionContains(scope.divisionCode, divisionCode);
}

/** Whether the scope covers this county's figures and school list (the county question of canSeeDivision). */
export function canSee(scope: Scope, countyCode: string): boolean {
  return canSeeDivision(scope, countyCode);
}

/** Whether the scope covers this school. */
export function canSeeSchool(scope: Scope, school: { code: string; countyCode: string }): boolean {
  return scope.kind === 'school' ? scope.schoolCode === school.code : canSeeDivision(scope, school.countyCode);
}

/** The rows filter for lists: divisionCode null = everything, else that division's subtree, optionally one school. */
export function rowsFilter(scope: Scope): { divisionCode: string | null; schoolCode: string | null } {
  if (scope.kind === 'division') return { divisionCode: scope.divisionCode, schoolCode: null };
  return { divisionCode: scope.countyCode, schoolCode: scope.schoolCode };
}

/** How a message names a scope: "the whole deployment", "division 622900", "school 9921000001". */
export function describeScope(scope: Scope): string {
  if (scope.kind === 'school') return `school ${scope.schoolCode}`;
  return scope.divisionCode === null ? 'the whole deployment' : `division ${scope.divisionCode}`;
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

/**
 * Throws 403 unless the user is a bureau account over the whole deployment: managing accounts and tokens stays
 * with the root's bureau (decision 150), so a division's officer cannot widen their own reach.
 */
export function assertRootBureau(user: User): void {
  assertRole(user, 'bureau');
  if (!isRootScope(scopeOfUser(user)))
    throw new DomainError(
      'forbidden',
      'root_bureau_only',
      `your account is confined to division ${user.divisionCode}; accounts and API tokens are managed by a bureau account of the whole deployment`,
    );
}

/** The rows filter for a user's lists. */
export function listScope(user: User): { divisionCode: string | null; schoolCode: string | null } {
  return rowsFilter(scopeOfUser(user));
}

// The bureau API: a token's or a session's scope, refused in words that say where to read instead.

const whoOf = (principal: ApiPrincipal) => (principal.kind === 'api-token' ? 'this token is' : 'your account is');

/** The division a division-wide read is confined to (null: all); throws 403 for a school account. */
export function divisionScopeOf(principal: ApiPrincipal): string | null {
  const scope = scopeOfPrincipal(principal);
  if (scope.kind === 'school') {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${scope.schoolCode} only; read /api/v1/schools/${scope.schoolCode}`,
    );
  }
  return scope.divisionCode;
}

/** Throws 403 unless the principal may see this division (a school account sees no division-wide figures). */
export function assertDivisionInScope(principal: ApiPrincipal, divisionCode: string): void {
  const scopeDivision = divisionScopeOf(principal);
  if (!canSeeDivision(scopeOfPrincipal(principal), divisionCode)) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `${whoOf(principal)} scoped to division ${scopeDivision}; it cannot read division ${divisionCode}` +
        `; read /api/v1/divisions/${scopeDivision} for what it can`,
    );
  }
}

/** Throws 403 unless the principal may see this school. */
export function assertSchoolInScope(principal: ApiPrincipal, school: { code: string; county: { code: string } }): void {
  const scope = scopeOfPrincipal(principal);
  if (scope.kind !== 'school') return assertDivisionInScope(principal, school.county.code);
  if (!canSeeSchool(scope, { code: school.code, countyCode: school.county.code })) {
    throw new DomainError(
      'forbidden',
      'out_of_scope',
      `your account sees school ${scope.schoolCode} only; it cannot read school ${school.code}`,
    );
  }
}

/** Throws 403 unless the principal sees the whole deployment (deployment-wide changes, the audit log). */
export function assertBureauWide(principal: ApiPrincipal): void {
  const scope = scopeOfPrincipal(principal);
  if (!isRootScope(scope)) {
    throw new DomainError(
      'forbidden',
      'bureau_only',
      `${whoOf(principal)} confined to ${describeScope(scope)}; this needs a token or bureau account of the whole deployment`,
    );
  }
}
