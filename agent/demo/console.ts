import { relative } from 'node:path';
import type { Demo } from './main.ts';

/**
 * What a newcomer needs to use the running demo: its URLs, accounts, API token, and the command line's
 * steps with the demo's own data directory (without it, `santong` writes to ./data, which the demo does
 * not serve, and the new token gets a 401). Printed at start and again once the fleet's first round is in.
 */
export function printAccess(demo: Demo, dataDir: string, say: (line?: string) => void): void {
  const shown = relative(process.cwd(), dataDir) || '.';
  const dir = shown.startsWith('..') || shown.startsWith('/') ? dataDir : `./${shown}`;
  say(`server      ${demo.url}   (dashboard: ${demo.url}/login)`);
  say(`dashboard   password for all three: ${demo.password}`);
  for (const u of demo.users) say(`            ${u.username.padEnd(12)} ${u.role.padEnd(7)} ${u.scope}`);
  say(`API token   ${demo.apiToken}`);
  say(`            curl -H 'Authorization: Bearer ${demo.apiToken}' ${demo.url}/api/v1/coverage`);
  say(`CLI         the demo's database is ${dir}: give every santong command --data-dir ${dir}, e.g.`);
  say(`            npm run -s santong -- api-token create --name me --data-dir ${dir}`);
}
