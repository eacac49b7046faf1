import { parseDivisionReference } from '../../server/divisions/reference-file.ts';
import type { DivisionTree } from '../../server/divisions/tree.ts';

/** A reference file's text from `code name level parent [kind]` lines written with spaces, for readable tests. */
export function referenceOf(edition: string, rows: readonly string[]): string {
  const lines = rows.map((r) => {
    const [code, name, level, parent = '', kind = 'division'] = r.split(/\s+/);
    return [code, name, level, parent === '-' ? '' : parent, kind].join('\t');
  });
  return [`# edition: ${edition}`, 'code\tname\tlevel\tparent\tkind', ...lines, ''].join('\n');
}

/** A parsed tree from such lines; fails the test with the parser's own errors if it does not parse. */
export function treeOf(edition: string, rows: readonly string[]): DivisionTree {
  const { tree, errors } = parseDivisionReference(referenceOf(edition, rows));
  if (!tree) throw new Error(errors.join('\n'));
  return tree;
}

/** Gansu in miniature, as the 2023 reference has it: Lanzhou with a zone, Jiayuguan without counties, Linxia. */
export const gansu = [
  '620000 甘肃省 province -',
  '620100 兰州市 prefecture 620000',
  '620102 城关区 county 620100',
  '620171 兰州新区 county 620100 zone',
  '620200 嘉峪关市 prefecture 620000',
  '622900 临夏回族自治州 prefecture 620000',
  '622901 临夏市 county 622900',
  '622921 临夏县 county 622900',
];
