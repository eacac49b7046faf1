import { DomainError } from '../errors.ts';
import type { DeploymentTree } from './deployment.ts';

/*
 * The division an account or an API token is confined to, checked against the deployment's tree when it is
 * created (decision 150): a code the tree does not hold is refused with the root named, and the root itself is
 * stored as null, the one spelling of "the whole deployment" that scope checks know. The tree is the caller's to
 * read (deploymentTree), so these are rules over it and touch no data.
 */

/** The stored confinement for `code` under the root: null for the root (or no code), else the code; throws 400 when unknown. */
export function confineTo(tree: DeploymentTree, code: string | null | undefined, what: string): string | null {
  if (code === null || code === undefined) return null;
  if (code === tree.root.code) return null;
  if (!tree.get(code)) {
    throw new DomainError(
      'invalid',
      'division_unknown',
      `${what}: no division ${code} under this deployment's root ${tree.root.code} (${tree.root.name}); ` +
        `give a division inside it (GET /api/v1/divisions lists them) or none for the whole deployment`,
      undefined,
      { params: { division: code, root: tree.root.code } },
    );
  }
  return code;
}

/** The county a county account is confined to; throws 400 for a code that is not a county-level division under the root. */
export function confineToCounty(tree: DeploymentTree, code: string, what: string): string {
  const division = tree.get(code);
  if (!division || !tree.isSchoolUnit(code)) {
    throw new DomainError(
      'invalid',
      'county_unknown',
      `${what}: no county ${code} under this deployment's root ${tree.root.code} (${tree.root.name})` +
        (division
          ? `; ${code} is a ${division.level}: give it to a bureau account (--role bureau --division ${code})`
          : ''),
    );
  }
  return code;
}
