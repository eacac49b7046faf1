import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Exit code of an agent that installed an update: the service manager starts it again, into the new file. */
export const EXIT_RESTART_FOR_UPDATE = 75; // EX_TEMPFAIL in sysexits.h: "try again"

export const LAUNCHER_FILE = 'santong-agent-launcher.mjs';

/** How long a freshly updated agent has to confirm a good start before the launcher puts the old one back. */
export const DEFAULT_START_DEADLINE_SECONDS = 600;

/** Exit code of the launcher when it refuses to run anything: no signed bundle to run (EX_CONFIG in sysexits.h). */
export const EXIT_BUNDLE_REFUSED = 78;

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
 * What both launchers share (this one and the executable's, agent/update/executable-launcher.ts): the files beside the bundle, the trusted keys, the check of a file's signature
 * (or, in an executable, that it is the embedded bundle), the rollback, and the trial's bookkeeping. Leaves
 * `trust`, `current` (the bundle's check) and `trial` (a verified trial marker, or null) for the caller.
 */
export const launcherCore = `
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
