import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Exit code of an agent that installed an update: the service manager starts it again, into the new file. */
export const EXIT_RESTART_FOR_UPDATE = 75; // EX_TEMPFAIL in sysexits.h: "try again"

export const LAUNCHER_FILE = 'santong-agent-launcher.mjs';

/** How long a freshly updated agent has to confirm a good start before the launcher puts the old one back. */
export const DEFAULT_START_DEADLINE_SECONDS = 600;

/** Exit code of the launcher when it refuses to run anything: no signed bundle to run (EX_CONFIG in sysexits.h). */
export const EXIT_BUNDLE_REFUSED = 78;

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
 * The launcher the service runs: `node santong-agent-launcher.mjs BUNDLE run --config …`. It is
 * plain JavaScript with no imports beyond node:, written once by install-service and never updated,
 * so a broken update cannot break the code that undoes it. It loads the bundle in its own process
 * (no second node, no extra memory).
 *
 * It runs only a file that a release key this PC trusts signed (the keys pinned in the settings file,
 * and those they vouched for in `<bundle>.keys.json`, less revoked ones: the rule of keysTrustedAfter in
 * shared/schemas/release-keys.ts, written again here because the launcher imports nothing of ours):
 * the bundle, and `.previous` before it puts it back. A trial marker counts only when `.previous`
 * verifies as the version it names. Anything else is refused with a log line, and nothing is started.
 *
 * During a trial (a `.trial.json` beside the bundle, written by the swap) it puts `.previous` back when
 * the new bundle fails to load, does not confirm within the deadline, or was already started twice
 * without confirming (a crash loop), and exits 75 to be restarted.
 */
export function launcherSource(): string {
  return `#!/usr/bin/env node
// santong-agent launcher: starts the agent bundle, if a trusted release key signed it, and undoes a
// self-update that does not start. Written by \`santong-agent install-service\`; see
// docs/decisions/014-self-update.md and 060-offline-release-keys.md in santong.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const bundle = process.argv[2];
if (!bundle) {
  process.stderr.write('usage: node ${LAUNCHER_FILE} BUNDLE COMMAND [OPTIONS]\\n');
  process.exit(2);
}
// Only what a release key signed runs: there is no embedded bundle to fall back on.
const embedded = null;
const defaultConfigPath = null;
${launcherCore}
if (current.problem) {
  log('error', 'refusing to run ' + bundle + ': ' + current.problem + '; nothing started');
  process.exit(REFUSED);
}
const watching = watchTrial();
process.argv.splice(1, 1); // the agent sees the command line it would have seen started directly
try {
  await import(pathToFileURL(bundle).href);
} catch (error) {
  if (!watching) throw error;
  rollBack(watching, 'failed to load: ' + String(error && error.message || error).slice(0, 200));
  process.exit(RESTART);
}
`;
}

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

/**
 * What both launchers share: the files beside the bundle, the trusted keys, the check of a file's signature
 * (or, in an executable, that it is the embedded bundle), the rollback, and the trial's bookkeeping. Leaves
 * `trust`, `current` (the bundle's check) and `trial` (a verified trial marker, or null) for the caller.
 */
const launcherCore = `
const RESTART = ${EXIT_RESTART_FOR_UPDATE};
const REFUSED = ${EXIT_BUNDLE_REFUSED};
const MAX_TRIAL_STARTS = 2;
const files = {
  previous: bundle + '.previous',
  trial: bundle + '.trial.json',
  rollback: bundle + '.rollback.json',
  signatures: bundle + '.sig',
  keys: bundle + '.keys.json',
};
const deadlineSeconds = Number(process.env.SANTONG_AGENT_START_DEADLINE_SECONDS) || ${DEFAULT_START_DEADLINE_SECONDS};

function log(level, message) {
  process.stderr.write(new Date().toISOString() + ' ' + level + ' launcher: ' + message + '\\n');
}
function syncDir(path) {
  if (process.platform === 'win32') return;
  const fd = openSync(dirname(path), 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}
function writeDurable(path, text, mode = 0o600) {
  const temp = path + '.tmp';
  const fd = openSync(temp, 'w', mode);
  try { writeFileSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(temp, path);
  syncDir(path);
}
function readJson(path) {
  try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return null; }
}
const list = (value) => (Array.isArray(value) ? value : []);

// Semver precedence, as agent/update/semver.ts orders versions: is a newer than b?
function newer(a, b) {
  const parse = (v) => {
    const m = /^(\\d+)\\.(\\d+)\\.(\\d+)(?:-([0-9A-Za-z.-]+))?/.exec(String(v));
    return m && { core: [Number(m[1]), Number(m[2]), Number(m[3])], pre: m[4] ? m[4].split('.') : [] };
  };
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  for (let i = 0; i < 3; i++) if (x.core[i] !== y.core[i]) return x.core[i] > y.core[i];
  if (x.pre.length === 0 || y.pre.length === 0) return x.pre.length === 0 && y.pre.length > 0;
  for (let i = 0; i < Math.max(x.pre.length, y.pre.length); i++) {
    const p = x.pre[i];
    const q = y.pre[i];
    if (p === undefined || q === undefined) return q === undefined;
    if (p === q) continue;
    const pn = /^\\d+$/.test(p);
    const qn = /^\\d+$/.test(q);
    if (pn && qn) return Number(p) > Number(q);
    if (pn !== qn) return qn;
    return p > q;
  }
  return false;
}

function ed25519Valid(publicKey, message, signature) {
  try {
    const key = createPublicKey({ key: Buffer.from(String(publicKey), 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' && verify(null, Buffer.from(message, 'utf8'), key, Buffer.from(String(signature), 'base64'));
  } catch {
    return false;
  }
}

// The keys pinned in the settings file, less those that revoked themselves, plus those a trusted key vouched for.
function trustedKeys() {
  const at = process.argv.findIndex((a) => a === '--config' || a.startsWith('--config='));
  const configPath = at < 0 ? defaultConfigPath : process.argv[at].startsWith('--config=') ? process.argv[at].slice(9) : process.argv[at + 1];
  const config = configPath ? readJson(configPath) : null;
  const pinned = [...list(config && config.releaseKeys), ...(config && typeof config.releaseSigningKey === 'string' ? [config.releaseSigningKey] : [])];
  const kept = readJson(files.keys);
  const statements = list(kept && kept.statements).filter((s) =>
    s && (s.action === 'trust' || (s.action === 'revoke' && s.signedBy === s.publicKey)) &&
    ed25519Valid(s.signedBy, 'santong-release-key\\n' + s.action + '\\n' + s.publicKey + '\\n', s.signature));
  const revoked = new Set(statements.filter((s) => s.action === 'revoke').map((s) => s.publicKey));
  const trusted = new Set(pinned.filter((k) => typeof k === 'string' && !revoked.has(k)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of statements) {
      if (s.action !== 'trust' || trusted.has(s.publicKey) || revoked.has(s.publicKey) || !trusted.has(s.signedBy)) continue;
      trusted.add(s.publicKey);
      grew = true;
    }
  }
  return { keys: [...trusted], configPath };
}

// { version } when a trusted key signed exactly this file's bytes as the version it names (or they are the
// executable's own embedded bundle); else { problem }, with missing: true when there is no such file.
function signed(path, trust) {
  let bytes;
  try { bytes = readFileSync(path); } catch (error) { return { problem: 'cannot read it (' + (error.code || error.message) + ')', missing: error.code === 'ENOENT' }; }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (embedded && sha256 === embedded.sha256) return { version: embedded.version };
  if (trust.keys.length === 0) {
    return { problem: trust.configPath ? 'no release key pinned in ' + trust.configPath + ' (enroll this PC again)' : 'no --config given, so no pinned release key' };
  }
  const named = /^\\/\\/ santong-agent (\\S+)$/m.exec(bytes.subarray(0, 1024).toString('utf8'));
  const version = named ? named[1] : null;
  const records = readJson(files.signatures);
  for (const r of Array.isArray(records) ? records : records ? [records] : []) {
    if (!r || r.sha256 !== sha256 || r.version !== version) continue;
    const message = 'santong-agent-release\\n' + r.version + '\\n' + r.sha256 + '\\n';
    if (trust.keys.some((k) => ed25519Valid(k, message, r.signature))) return { version };
  }
  return { problem: 'no signature by a release key this PC trusts covers it (sha256 ' + sha256 + ', ' + (version ? 'names version ' + version : 'names no version') + ')' };
}

function rollBack(trial, reason) {
  if (existsSync(files.previous)) renameSync(files.previous, bundle);
  else log('warn', 'no ' + files.previous + ' to go back to');
  writeDurable(files.rollback, JSON.stringify({ version: trial.version, reason, at: new Date().toISOString() }));
  rmSync(files.trial, { force: true });
  syncDir(bundle);
  log('warn', 'update to ' + trial.version + ' undone (' + reason + '); back to ' + trial.previousVersion);
}

const trust = trustedKeys();
let current = signed(bundle, trust);
let trial = readJson(files.trial);
if (trial) {
  const previous = signed(files.previous, trust);
  if (previous.problem || previous.version !== trial.previousVersion) {
    // Nothing but a verified .previous is ever put back: a planted one (with a planted marker) is refused here.
    const why = previous.problem || 'it is version ' + previous.version + ', not ' + trial.previousVersion;
    log('error', 'refusing ' + files.previous + ': ' + why + '; trial marker ignored and removed');
    rmSync(files.trial, { force: true });
    trial = null;
  } else if (current.problem || current.version !== trial.version) {
    rollBack(trial, 'the new bundle does not verify: ' + (current.problem || 'it is version ' + current.version + ', not ' + trial.version));
    trial = null;
    current = signed(bundle, trust);
  }
}

// Counts a trial start, or undoes a trial that crashed too often; returns the trial to watch, or null.
function watchTrial() {
  if (trial && trial.starts >= MAX_TRIAL_STARTS) {
    rollBack(trial, 'started ' + trial.starts + ' times without confirming a good start');
    return null;
  }
  if (!trial) return null;
  writeDurable(files.trial, JSON.stringify({ ...trial, starts: trial.starts + 1 }));
  const watching = trial;
  setTimeout(() => {
    if (readJson(files.trial)?.version !== watching.version) return; // confirmed
    rollBack(watching, 'no good start within ' + deadlineSeconds + ' s');
    process.exit(RESTART);
  }, deadlineSeconds * 1000).unref();
  return watching;
}
`;

/** Writes the launcher beside the bundle; returns its path. */
export async function writeLauncher(bundleDir: string): Promise<string> {
  const path = join(bundleDir, LAUNCHER_FILE);
  await writeFile(path, launcherSource(), { mode: 0o755 });
  return path;
}
