import { readFileSync, statSync } from 'node:fs';
import { build } from 'esbuild';
import { AGENT_VERSION } from './version.ts';

/**
 * Builds dist/santong-agent.mjs: one file with every dependency inside and no native module, so a
 * school IT teacher copies one file next to node ≥ 20 and nothing is fetched at install time.
 */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
if (pkg.version !== AGENT_VERSION) {
  throw new Error(`agent/version.ts says ${AGENT_VERSION} but package.json says ${pkg.version}; bump both together`);
}

const outfile = 'dist/santong-agent.mjs';
const result = await build({
  entryPoints: ['agent/cli.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'external',
  metafile: true,
  // Some bundled CommonJS code calls require(); ESM output has none unless we make one.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

const natives = Object.keys(result.metafile.inputs).filter((f) => f.endsWith('.node'));
if (natives.length > 0) throw new Error(`the bundle must not contain native modules: ${natives.join(', ')}`);
console.log(`${outfile}: ${(statSync(outfile).size / 1024).toFixed(0)} KiB`);
