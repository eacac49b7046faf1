import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Exit code of an agent that installed an update: the service manager starts it again, into the new file. */
export const EXIT_RESTART_FOR_UPDATE = 75; // EX_TEMPFAIL in sysexits.h: "try again"

export const LAUNCHER_FILE = 'santong-agent-launcher.mjs';

/** How long a freshly updated agent has to confirm a good start before the launcher puts the old one back. */
export const DEFAULT_START_DEADLINE_SECONDS = 600;

/**
 * The launcher the service runs: `node santong-agent-launcher.mjs BUNDLE run --config …`. It is
 * plain JavaScript with no imports beyond node:, written once by install-service and never updated,
 * so a broken update cannot break the code that undoes it. It loads the bundle in its own process
 * (no second node, no extra memory). During a trial (a `.trial.json` beside the bundle, written by
 * the swap) it puts `.previous` back when the new bundle fails to load, does not confirm within the
 * deadline, or was already started twice without confirming (a crash loop), and exits 75 to be restarted.
 */
export function launcherSource(): string {
  return `#!/usr/bin/env node
// santong-agent launcher: starts the agent bundle and undoes a self-update that does not start.
// Written by \`santong-agent install-service\`; see docs/decisions/014-self-update.md in santong.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

const RESTART = ${EXIT_RESTART_FOR_UPDATE};
const MAX_TRIAL_STARTS = 2;
const bundle = process.argv[2];
if (!bundle) {
  process.stderr.write('usage: node ${LAUNCHER_FILE} BUNDLE COMMAND [OPTIONS]\\n');
  process.exit(2);
}
const files = { previous: bundle + '.previous', trial: bundle + '.trial.json', rollback: bundle + '.rollback.json' };
const deadlineSeconds = Number(process.env.SANTONG_AGENT_START_DEADLINE_SECONDS) || ${DEFAULT_START_DEADLINE_SECONDS};

function log(message) {
  process.stderr.write(new Date().toISOString() + ' warn launcher: ' + message + '\\n');
}
function syncDir(path) {
  if (process.platform === 'win32') return;
  const fd = openSync(dirname(path), 'r');
  try { fsyncSync(fd); } finally { closeSync(fd); }
}
function writeDurable(path, text) {
  const temp = path + '.tmp';
  const fd = openSync(temp, 'w', 0o600);
  try { writeFileSync(fd, text); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(temp, path);
  syncDir(path);
}
function readTrial() {
  try { return JSON.parse(readFileSync(files.trial, 'utf8')); } catch { return null; }
}
function rollBack(trial, reason) {
  if (existsSync(files.previous)) renameSync(files.previous, bundle);
  else log('no ' + files.previous + ' to go back to');
  writeDurable(files.rollback, JSON.stringify({ version: trial.version, reason, at: new Date().toISOString() }));
  rmSync(files.trial, { force: true });
  syncDir(bundle);
  log('update to ' + trial.version + ' undone (' + reason + '); back to ' + trial.previousVersion);
}

let trial = readTrial();
if (trial && trial.starts >= MAX_TRIAL_STARTS) {
  rollBack(trial, 'started ' + trial.starts + ' times without confirming a good start');
  trial = null;
} else if (trial) {
  writeDurable(files.trial, JSON.stringify({ ...trial, starts: trial.starts + 1 }));
  const watching = trial;
  setTimeout(() => {
    if (readTrial()?.version !== watching.version) return; // confirmed
    rollBack(watching, 'no good start within ' + deadlineSeconds + ' s');
    process.exit(RESTART);
  }, deadlineSeconds * 1000).unref();
}

process.argv.splice(1, 1); // the agent sees the command line it would have seen started directly
try {
  await import(pathToFileURL(bundle).href);
} catch (error) {
  if (!trial) throw error;
  rollBack(trial, 'failed to load: ' + String(error && error.message || error).slice(0, 200));
  process.exit(RESTART);
}
`;
}

/** Writes the launcher beside the bundle; returns its path. */
export async function writeLauncher(bundleDir: string): Promise<string> {
  const path = join(bundleDir, LAUNCHER_FILE);
  await writeFile(path, launcherSource(), { mode: 0o755 });
  return path;
}
