import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { buildDeb } from './package/deb.ts';
import { buildExecutable } from './package/executable.ts';
import { debName, executableName } from '../shared/release-artifacts.ts';
import { EXECUTABLE_TARGETS, NODE_RUNTIME_VERSION } from './package/node-runtime.ts';
import { buildWindowsInstaller, WINDOWS_INSTALLER_FILE } from './package/windows-installer.ts';
import { AGENT_VERSION } from './version.ts';

/**
 * Builds dist/santong-agent.mjs: one file with every dependency inside and no native module, so a
 * school IT teacher copies one file next to node ≥ 20 and nothing is fetched at install time.
 */
export async function buildAgentBundle(o: {
  outfile: string;
  version?: string;
  entry?: string;
}): Promise<{ bytes: number }> {
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
    // Line 2 names the version: `santong release sign` reads it, and the agent checks that a
    // downloaded bundle says the version it was announced as. Some bundled CommonJS code calls
    // require(); ESM output has none unless we make one. An executable that cannot write its bundle folder
    // imports the bundle from a data: URL (agent/update/launcher.ts), where require resolves from the executable.
    banner: {
      js: `#!/usr/bin/env node\n// santong-agent ${version}\nimport { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url.startsWith('file:') ? import.meta.url : process.execPath);`,
    },
    logLevel: 'warning',
  });
  const natives = Object.keys(result.metafile.inputs).filter((f) => f.endsWith('.node'));
  if (natives.length > 0) throw new Error(`the bundle must not contain native modules: ${natives.join(', ')}`);
  // V8 keeps the module's source for the life of the process, at two bytes a character if any character
  // is beyond Latin-1. esbuild escapes strings but leaves regular expressions (希沃, 投影 in display-makers.ts)
  // as written; escaped there too, the ~0.9 MB source is held at one byte a character.
  const text = readFileSync(o.outfile, 'utf8');
  if (/[^\x00-\x7f]/.test(text))
    writeFileSync(
      o.outfile,
      text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    );
  return { bytes: statSync(o.outfile).size };
}

/** A bundle that calls itself another version: how tests (and a release rehearsal) make a "newer" agent. */
function overrideVersion(version: string): Plugin {
  return {
    name: 'santong-agent-version',
    setup(b) {
      b.onLoad({ filter: /[\\/]agent[\\/]version\.ts$/ }, () => ({
        contents: `export const AGENT_VERSION = ${JSON.stringify(version)};`,
        loader: 'ts',
      }));
    },
  };
}

/** Writes `SHA256SUMS` for `files` (in `sha256sum -c` form, names relative to their folder); returns its path. */
export function writeSha256Sums(dir: string, files: readonly string[]): string {
  const out = join(dir, 'SHA256SUMS');
  const line = (f: string) => `${createHash('sha256').update(readFileSync(f)).digest('hex')}  ${basename(f)}`;
  writeFileSync(out, `${files.map(line).join('\n')}\n`);
  return out;
}

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  if (pkg.version !== AGENT_VERSION) {
    throw new Error(`agent/version.ts says ${AGENT_VERSION} but package.json says ${pkg.version}; bump both together`);
  }
  const dist = 'dist';
  const outfile = join(dist, 'santong-agent.mjs');
  const { bytes } = await buildAgentBundle({ outfile });
  console.log(`${outfile}: ${(bytes / 1024).toFixed(0)} KiB (santong-agent ${AGENT_VERSION})`);
  const artifacts = [outfile];
  if (!process.argv.includes('--bundle-only')) {
    // Standalone executables and .debs (docs/decisions/170-agent-executables.md, 171-agent-deb.md).
    for (const target of EXECUTABLE_TARGETS) {
      const file = join(dist, executableName(target));
      const built = buildExecutable({ target, bundle: outfile, outfile: file, version: AGENT_VERSION });
      console.log(`${file}: ${MiB(built.bytes)} (Node ${NODE_RUNTIME_VERSION} for ${target} + the bundle)`);
      artifacts.push(file);
    }
    for (const [arch, target] of [
      ['amd64', 'linux-x64'],
      ['arm64', 'linux-arm64'],
    ] as const) {
      const file = join(dist, debName(AGENT_VERSION, arch));
      const built = buildDeb({
        executable: join(dist, executableName(target)),
        arch,
        version: AGENT_VERSION,
        outfile: file,
      });
      console.log(`${file}: ${MiB(built.bytes)}`);
      artifacts.push(file);
    }
    // The Windows installer around the win-x64 executable (docs/decisions/182-windows-installer.md).
    const setup = join(dist, WINDOWS_INSTALLER_FILE);
    const installer = buildWindowsInstaller({
      executable: join(dist, executableName('win-x64')),
      outfile: setup,
      version: AGENT_VERSION,
    });
    console.log(`${setup}: ${MiB(installer.bytes)} (NSIS, the win-x64 executable inside)`);
    artifacts.push(setup);
  }
  console.log(`${writeSha256Sums(dist, artifacts)}: ${artifacts.length} files`);
  console.log(
    `sign each on the release key holder's machine: for f in ${artifacts.join(' ')}; do santong release sign "$f" --key RELEASE_KEY; done (writes FILE.sig; ship them together)`,
  );
}
