import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { AGENT_VERSION } from './version.ts';

/**
 * Builds dist/santong-agent.mjs: one file with every dependency inside and no native module, so a
 * school IT teacher copies one file next to node ≥ 20 and nothing is fetched at install time.
 */
export async function buildAgentBundle(o: { outfile: string; version?: string; entry?: string }): Promise<{ bytes: number }> {
  const version = o.version ?? AGENT_VERSION;
  const result = await build({
    entryPoints: [o.entry ?? fileURLToPath(new URL('./cli.ts', import.meta.url))],
    outfile: o.outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    minify: true,
    legalComments: 'external',
    metafile: true,
    plugins: version === AGENT_VERSION ? [] : [overrideVersion(version)],
    // Line 2 names the version: `santong agent-release publish` reads it, and the agent checks that a
    // downloaded bundle says the version it was announced as. Some bundled CommonJS code calls
    // require(); ESM output has none unless we make one.
    banner: { js: `#!/usr/bin/env node\n// santong-agent ${version}\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);` },
    logLevel: 'warning',
  });
  const natives = Object.keys(result.metafile.inputs).filter((f) => f.endsWith('.node'));
  if (natives.length > 0) throw new Error(`the bundle must not contain native modules: ${natives.join(', ')}`);
  return { bytes: statSync(o.outfile).size };
}

/** A bundle that calls itself another version: how tests (and a release rehearsal) make a "newer" agent. */
function overrideVersion(version: string): Plugin {
  return {
    name: 'santong-agent-version',
    setup(b) {
      b.onLoad({ filter: /[\\/]agent[\\/]version\.ts$/ }, () => ({ contents: `export const AGENT_VERSION = ${JSON.stringify(version)};`, loader: 'ts' }));
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  if (pkg.version !== AGENT_VERSION) {
    throw new Error(`agent/version.ts says ${AGENT_VERSION} but package.json says ${pkg.version}; bump both together`);
  }
  const outfile = 'dist/santong-agent.mjs';
  const { bytes } = await buildAgentBundle({ outfile });
  console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB (santong-agent ${AGENT_VERSION})`);
}
