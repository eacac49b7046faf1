import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DATABASE_FILE } from '../../server/db/client.ts';

/*
 * What a stored report costs on disk: the pages of the reports table and its indexes (SQLite's dbstat),
 * divided by the number of reports. Measured once per cached dataset and kept beside it.
 */
export interface Storage {
  dbBytes: number;
  reportBytes: number;
  reportCount: number;
}

/** Storage figures of a cached dataset directory, computed on first use and remembered in storage.json. */
export function storageOf(dir: string): Storage {
  const memo = path.join(dir, 'storage.json');
  if (fs.existsSync(memo)) return JSON.parse(fs.readFileSync(memo, 'utf8')) as Storage;
  const file = path.join(dir, DATABASE_FILE);
  const sqlite = new Database(file, { readonly: true });
  try {
    const names = sqlite
      .prepare("select name from sqlite_master where tbl_name = 'reports' and type in ('table', 'index')")
      .all() as { name: string }[];
    const bytes = sqlite
      .prepare(`select coalesce(sum(pgsize), 0) as bytes from dbstat where name in (${names.map(() => '?').join(',')})`)
      .get(...names.map((n) => n.name)) as { bytes: number };
    const count = sqlite.prepare('select count(*) as n from reports').get() as { n: number };
    const storage = { dbBytes: fs.statSync(file).size, reportBytes: bytes.bytes, reportCount: count.n };
    fs.writeFileSync(memo, JSON.stringify(storage));
    return storage;
  } finally {
    sqlite.close();
  }
}
