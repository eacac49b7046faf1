import { launcherCore } from './launcher.ts';

/*
 * The launcher inside a standalone executable (agent/package/executable.ts, docs/decisions/170-agent-executables.md):
 * the launcher of decision 014 around the core it shares with santong-agent-launcher.mjs, with the agent bundle the
 * executable was built with as the one it falls back on.
 */

/** The bundle an executable carries, as an SEA asset (agent/package/executable.ts puts it there). */
export const EMBEDDED_BUNDLE_ASSET = 'santong-agent.mjs';

/** Where an executable keeps the bundle it runs and updates: a folder beside it (docs/decisions/170-agent-executables.md). */
export const EXECUTABLE_BUNDLE_DIR = 'agent';

/**
 * Set by an executable's launcher before it imports the bundle (a global, not an environment variable, so no
 * child process inherits it): the agent then knows which executable it runs in, for install-service.
 */
export const EXECUTABLE_MARK = 'santong-agent.executable';

/**
 * An executable's launcher runs the bundle named here instead of choosing one, for `swapBundle`'s trial run of
 * a downloaded bundle (`--version` only, before anything is swapped).
 */
export const PREFLIGHT_ENV = 'SANTONG_AGENT_PREFLIGHT';

/**
 * The main script of a standalone executable (CommonJS, as Node 20's single-executable applications require):
 * the launcher above, with the agent bundle it was built with embedded as an asset. That embedded bundle is
 * trusted as the executable itself is; a bundle on disk only when a trusted release key signed it, as above.
 *
 * It runs `agent/santong-agent.mjs` beside the executable, the file self-update swaps: written from the
 * embedded bundle when absent or older (a package upgrade brought a newer executable), or when it does not
 * verify with the release keys of this PC. When that folder cannot be written (the executable run by a user
 * from a folder not theirs), it runs the embedded bundle from memory and this process does not update itself.
 */
export function executableLauncherSource(): string {
  return `'use strict';
// santong-agent executable: Node's runtime, this launcher and the agent bundle it was built with. See
// docs/decisions/170-agent-executables.md, 014-self-update.md and 060-offline-release-keys.md in santong.
const { createHash, createPublicKey, verify } = require('node:crypto');
const { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { pathToFileURL } = require('node:url');
const vm = require('node:vm');

// Node 20 gives the main script of an executable no import() of its own; this one loads as a file would.
// The only warning it brings ("an experimental feature") is not for the person reading the log.
const emitWarning = process.emitWarning;
process.emitWarning = function (warning, ...rest) {
  if (String(warning && warning.message || warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) return;
  return emitWarning.call(this, warning, ...rest);
};
const importUrl = new vm.Script('(url) => import(url)', {
  importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
}).runInThisContext();

const preflight = process.env.${PREFLIGHT_ENV};
if (preflight) {
  delete process.env.${PREFLIGHT_ENV};
  importUrl(pathToFileURL(preflight).href).catch((error) => {
    process.stderr.write(String(error && error.stack || error) + '\\n');
    process.exit(1);
  });
} else {
  launch();
}

function launch() {
const bundle = join(dirname(process.execPath), '${EXECUTABLE_BUNDLE_DIR}', '${EMBEDDED_BUNDLE_ASSET}');
const embeddedBytes = Buffer.from(require('node:sea').getAsset('${EMBEDDED_BUNDLE_ASSET}'));
const embedded = {
  sha256: createHash('sha256').update(embeddedBytes).digest('hex'),
  version: (/^\\/\\/ santong-agent (\\S+)$/m.exec(embeddedBytes.subarray(0, 1024).toString('utf8')) || [])[1],
};
// The settings file the agent itself reads without --config (agent/config.ts, defaultConfigPath).
const defaultConfigPath = process.platform === 'win32'
  ? join(process.env.ProgramData || 'C:\\\\ProgramData', 'santong-agent', 'config.json')
  : process.getuid && process.getuid() === 0 ? '/etc/santong-agent/config.json'
  : join(process.env.XDG_CONFIG_HOME || join(require('node:os').homedir(), '.config'), 'santong-agent', 'config.json');
${launcherCore}
let fromMemory = false;
const stale = !current.problem && newer(embedded.version, current.version);
if (current.missing || stale || (current.problem && trust.keys.length > 0)) {
  if (current.problem && !current.missing) log('error', 'refusing to run ' + bundle + ': ' + current.problem + '; the agent ' + embedded.version + ' of this executable takes its place');
  else if (stale) log('info', 'this executable brings the agent ' + embedded.version + ', newer than ' + current.version + ' in ' + bundle);
  try {
    mkdirSync(dirname(bundle), { recursive: true });
    writeDurable(bundle, embeddedBytes, 0o644);
    rmSync(files.trial, { force: true });
    rmSync(files.previous, { force: true });
    current = { version: embedded.version };
    trial = null;
  } catch (error) {
    fromMemory = true;
    log('warn', 'cannot write ' + bundle + ' (' + (error.code || error.message) + '): running the agent ' + embedded.version + ' of this executable, which will not update itself');
  }
} else if (current.problem) {
  fromMemory = true;
  log('warn', 'not running ' + bundle + ': ' + current.problem + '; running the agent ' + embedded.version + ' of this executable instead');
}
const watching = fromMemory ? null : watchTrial();
globalThis[Symbol.for('${EXECUTABLE_MARK}')] = { executable: process.execPath, embeddedVersion: embedded.version };
const url = fromMemory ? 'data:text/javascript;base64,' + embeddedBytes.toString('base64') : pathToFileURL(bundle).href;
importUrl(url).catch((error) => {
  if (!watching) {
    process.stderr.write(String(error && error.stack || error) + '\\n');
    process.exit(1);
  }
  rollBack(watching, 'failed to load: ' + String(error && error.message || error).slice(0, 200));
  process.exit(RESTART);
});
}
`;
}
