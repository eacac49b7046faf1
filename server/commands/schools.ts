import fs from 'node:fs';
import type { AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { importSchools, validateRoster } from '../registry/import-schools.ts';
import { readRosterFile } from '../registry/roster-file.ts';
import { cliActor, withCommandStore, UsageError, type Command } from './command-line.ts';
import { runTableImport } from './table-import.ts';

/** `santong import-schools FILE`: reads, imports and returns the lines to print and the exit code (1 when nothing was imported). */
export function runImportSchools(
  store: Store,
  file: string,
  now: number,
  audit: AuditSource,
): Promise<{ exitCode: number; output: string[] }> {
  return runTableImport(file, {
    read: readRosterFile,
    validate: async (rows) => (await validateRoster(store, rows)).errors,
    apply: async (rows) => {
      const s = await importSchools(store, rows, now, audit);
      return {
        ...s,
        summary: `${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged; ${s.classroomsCreated} classrooms created`,
      };
    },
  });
}

/** `santong import-schools FILE`: problems go to stderr, the summary to stdout. */
export const importSchoolsCommand: Command = async ({ flags, sub: file, now, say }) => {
  if (!file || !fs.existsSync(file))
    throw new UsageError(`import-schools needs a roster file that exists${file ? `: ${file} not found` : ''}`);
  const result = await withCommandStore(flags, (store) =>
    runImportSchools(store, file, now, { actor: cliActor(), reason: flags.reason ?? `import-schools ${file}` }),
  );
  result.output.forEach((line) => (result.exitCode === 0 ? say(line) : process.stderr.write(`${line}\n`)));
  return result.exitCode;
};
