import path from 'node:path';
import type { Store } from '../db/store.ts';

/**
 * What a fresh server lacks before anyone can use it, and the commands that supply it: the login page and the
 * start-up output name the same ones (issue 18, item 8). Accounts are made on the command line only, so the
 * first one cannot come from the dashboard.
 */
export type FirstRun = {
  /** The command that creates the first bureau account, or null when an account exists. */
  account: string | null;
  /** The command that imports the roster, or null when schools exist. */
  roster: string | null;
};

/** The data directory the CLI writes to unless told otherwise; any other needs `--data-dir` on each command. */
const DEFAULT_DATA_DIR = './data';

/** The first-run steps still to do on this database, or null when there is an account and a roster. */
export async function firstRunSteps(store: Store, dataDir: string = DEFAULT_DATA_DIR): Promise<FirstRun | null> {
  const { schools, users } = store.t;
  const noAccount = (await store.q.select({ id: users.id }).from(users).limit(1)).length === 0;
  const noRoster = (await store.q.select({ code: schools.code }).from(schools).limit(1)).length === 0;
  if (!noAccount && !noRoster) return null;
  const flag = path.resolve(dataDir) === path.resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${shellWord(dataDir)}`;
  return {
    account: noAccount
      ? `echo 'PASSPHRASE' | npm run -s santong -- user create --username NAME --role bureau${flag}`
      : null,
    roster: noRoster ? `npm run -s santong -- import-schools ROSTER.csv${flag}` : null,
  };
}

function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
