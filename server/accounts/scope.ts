import { DomainError } from '../errors.ts';
import type { User } from '../access/principals.ts';

/*
 * What a dashboard user may see, checked on the server for every page, export and form. The bureau
 * sees everything, a county officer one county, school staff one school.
 */

/** Whether the user may see this county's figures and school list. */
export function canSeeCounty(user: User, countyCode: string): boolean {
  return user.role === 'bureau' || (user.role === 'county' && user.countyCode === countyCode);
}

/** Whether the user may see this school. */
export function canSeeSchool(user: User, school: { code: string; countyCode: string }): boolean {
  return user.role === 'school' ? user.schoolCode === school.code : canSeeCounty(user, school.countyCode);
}

/** Throws 403 unless the user may see the county. */
export function assertCanSeeCounty(user: User, countyCode: string): void {
  if (!canSeeCounty(user, countyCode))
    throw new DomainError('forbidden', 'out_of_scope', `your account cannot see county ${countyCode}`);
}

/** Throws 403 unless the user may see the school. */
export function assertCanSeeSchool(user: User, school: { code: string; countyCode: string }): void {
  if (!canSeeSchool(user, school))
    throw new DomainError('forbidden', 'out_of_scope', `your account cannot see school ${school.code}`);
}

/** Throws 403 unless the user has one of the roles. */
export function assertRole(user: User, ...roles: User['role'][]): void {
  if (!roles.includes(user.role))
    throw new DomainError('forbidden', 'role_required', `this needs a ${roles.join(' or ')} account`);
}

/** The rows filter for lists: null = every county, else one county, optionally one school. */
export function listScope(user: User): { countyCode: string | null; schoolCode: string | null } {
  return user.role === 'bureau'
    ? { countyCode: null, schoolCode: null }
    : { countyCode: user.countyCode, schoolCode: user.role === 'school' ? user.schoolCode : null };
}
