import { writeFileSync } from 'node:fs';
import { collectDisplays } from '../../agent/collect/displays.ts';
import { readWindowsTouch } from '../../agent/collect/windows-displays.ts';

/*
 * Bundled by windows-displays.test.ts and run by the Windows node.exe under Wine: the agent's own display
 * collection, answers written to the file named by the first argument (node's stdout is not a pipe Wine can hand
 * back to Linux).
 */
const [outFile] = process.argv.slice(2);
const answer = { platform: process.platform, displays: await collectDisplays(), touch: await readWindowsTouch() };
writeFileSync(outFile!, JSON.stringify(answer));
