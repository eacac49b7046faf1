import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The browser tests drive Debian's Chromium; a browser is never downloaded by npm or Playwright.
 * `npm run setup:browser` installs it (root, or through sudo); the test run's globalSetup does the same
 * when it runs as root, and otherwise stops with a message that names the script.
 */
export const CHROMIUM = '/usr/bin/chromium';
const packages = ['chromium', 'fonts-noto-cjk'];

function run(command: string[], asRoot: boolean): boolean {
  const [file, ...args] = asRoot ? command : ['sudo', ...command];
  const result = spawnSync(file!, args, {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/** Installs chromium and CJK fonts with apt-get; true when the browser is there afterwards. */
export function installBrowser(options: { allowSudo: boolean }): boolean {
  const root = process.getuid?.() === 0;
  if (!root && !options.allowSudo) return false;
  const ok =
    run(['apt-get', 'update', '-qq'], root) &&
    run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...packages], root);
  return ok && fs.existsSync(CHROMIUM);
}

/** vitest globalSetup: make sure the browser is there before any browser test starts. */
export default function ensureBrowser(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && installBrowser({ allowSudo: false })) return;
  throw new Error(
    `the browser tests need Debian's chromium at ${CHROMIUM}; run \`npm run setup:browser\` (apt-get install chromium fonts-noto-cjk) and test again`,
  );
}

// Run as a script (npm run setup:browser): install, with sudo when not root.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exit(fs.existsSync(CHROMIUM) || installBrowser({ allowSudo: true }) ? 0 : 1);
}
