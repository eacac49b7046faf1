import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './cli.ts';

interface Journal {
  entries: { idx: number; tag: string }[];
}

/**
 * A copy of migrations/ that stops before the named migration (found by its tag, whatever number it gets), for
 * tests that build a database as an older santong left it. The caller removes the directory.
 */
export function migrationsBefore(tagSuffix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-migrations-'));
  const source = path.join(repoRoot, 'migrations');
  fs.cpSync(source, dir, { recursive: true });
  const journal = JSON.parse(fs.readFileSync(path.join(source, 'meta', '_journal.json'), 'utf8')) as Journal;
  const cut = journal.entries.findIndex((e) => e.tag.endsWith(tagSuffix));
  if (cut <= 0) throw new Error(`no migration tagged *${tagSuffix} after the first`);
  fs.writeFileSync(
    path.join(dir, 'meta', '_journal.json'),
    JSON.stringify({ ...journal, entries: journal.entries.slice(0, cut) }),
  );
  return dir;
}
