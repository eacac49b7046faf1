import { COUNTRY_CODE, levelOfCode } from './levels.ts';
import type { DivisionTree } from './tree.ts';

/** What a deployment watches: the whole country, one province, or one prefecture (Linxia: 622900). */
export interface DeploymentRoot {
  code: string;
  name: string;
  level: 'country' | 'province' | 'prefecture';
}

/**
 * Checks a deployment root against the tree: 000000 (the country), a province or a prefecture of it. A county
 * is refused: a county office works inside a prefecture's deployment, it does not run its own.
 */
export function rootChoice(tree: DivisionTree, code: string): { root?: DeploymentRoot; error?: string } {
  const valid = `000000 (the country), a province (XX0000) or a prefecture (XXXX00) of the ${tree.edition} reference`;
  if (code === COUNTRY_CODE) return { root: { code, name: '全国', level: 'country' } };
  const division = tree.get(code);
  if (!division) {
    const shape = levelOfCode(code);
    const said = shape ? `no ${shape} of that code is in the reference` : 'not a six-digit division code';
    return { error: `deployment root "${code}": ${said}; choose ${valid}` };
  }
  if (division.level === 'county') {
    return { error: `deployment root ${code} (${division.name}) is a county; choose ${valid}` };
  }
  return { root: { code, name: division.name, level: division.level } };
}
