import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDivisionReference, readDivisionReference } from '../../server/divisions/reference-file.ts';
import { gansu, referenceOf } from './small-trees.ts';

const errorsOf = (rows: readonly string[]) => parseDivisionReference(referenceOf('test', rows)).errors;

describe('reading a reference file', () => {
  it('parses a valid file with its edition', () => {
    const { tree, errors } = parseDivisionReference(referenceOf('2023 test', gansu));
    expect(errors).toEqual([]);
    expect(tree?.edition).toBe('2023 test');
    expect(tree?.divisions).toHaveLength(gansu.length);
    expect(tree?.get('620171')?.kind).toBe('zone');
  });

  it('refuses a code that is not six digits, an empty name, an unknown level or kind, with line numbers', () => {
    const errors = errorsOf(['62000 甘肃省 province -', '620000 甘肃省 province -', '620100 兰州市 city 620000']);
    expect(errors).toEqual(['line 3: code: a six-digit GB/T 2260 code', expect.stringMatching(/^line 5: level: /)]);
    expect(errorsOf(['620000 甘肃省 province - special'])).toEqual([expect.stringMatching(/^line 3: kind:/)]);
    const blank = parseDivisionReference(
      '# edition: x\ncode\tname\tlevel\tparent\tkind\n620000\t \tprovince\t\tdivision\n',
    );
    expect(blank.errors).toEqual(['line 3: name: a name']);
  });

  it('refuses a level the code does not name, a missing parent and a parent outside the code', () => {
    expect(errorsOf(['620000 甘肃省 province -', '620100 兰州市 county 620000'])).toEqual([
      "620100 兰州市: the code's shape names a prefecture, not a county",
    ]);
    expect(errorsOf(['622900 临夏回族自治州 prefecture 620000'])).toEqual([
      '622900 临夏回族自治州: its parent 620000 is not in the reference',
    ]);
    expect(errorsOf([...gansu, '622922 康乐县 county 620100'])).toEqual([
      '622922 康乐县: its parent must be 622900, not 620100',
    ]);
    // With no prefecture 6290xx the county hangs under its province, like a municipality's districts.
    expect(errorsOf([...gansu, '629001 某市 county 620000'])).toEqual([]);
    expect(errorsOf(['620000 甘肃省 province 110000', '110000 北京市 province -'])).toEqual([
      '620000 甘肃省: a province has no parent',
    ]);
    expect(errorsOf([...gansu, '620300 金昌市 prefecture 620000 zone'])).toEqual([
      '620300 金昌市: a zone is county-level',
    ]);
  });

  it('refuses a code listed twice, a wrong header, a missing edition and a wrong column count', () => {
    expect(errorsOf([...gansu, '622921 临夏县 county 622900'])).toEqual(['622921 临夏县: the code appears twice']);
    expect(parseDivisionReference('# edition: x\ncode,name\n').errors[0]).toMatch(/^line 2: the header must be/);
    expect(parseDivisionReference('code\tname\tlevel\tparent\tkind\n').errors).toEqual([
      'the reference names no edition (a line "# edition: …")',
    ]);
    const short = parseDivisionReference('# edition: x\ncode\tname\tlevel\tparent\tkind\n620000\t甘肃省\n');
    expect(short.errors).toEqual(['line 3: 2 columns, expected 5 (code, name, level, parent, kind)']);
  });

  it('refuses a file far larger than any division tree before reading its rows', () => {
    const huge = '# edition: x\n' + 'x'.repeat(3 * 1024 * 1024);
    expect(parseDivisionReference(huge).errors).toEqual([expect.stringMatching(/larger than 2097152 bytes/)]);
  });

  it('reports at most twenty errors, then how many more', () => {
    const bad = Array.from({ length: 30 }, (_, i) => `6200${String(i).padStart(2, '0')}x 名 county 620000`);
    const errors = errorsOf(['620000 甘肃省 province -', ...bad]);
    expect(errors).toHaveLength(21);
    expect(errors[20]).toBe('… and 10 more');
  });

  it('reads a file from disk, and a missing file is one error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-divisions-'));
    try {
      const file = path.join(dir, 'tree.tsv');
      fs.writeFileSync(file, '\uFEFF' + referenceOf('bom', gansu).replaceAll('\n', '\r\n'));
      expect(readDivisionReference(file).tree?.get('622900')?.name).toBe('临夏回族自治州');
      expect(readDivisionReference(path.join(dir, 'missing.tsv')).errors).toEqual([
        expect.stringMatching(/missing\.tsv: not readable/),
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
