import fs from 'node:fs';
import type { AuditSource } from '../audit/audit.ts';
import type { Db } from '../db/client.ts';
import { readTableFile } from '../registry/roster-file.ts';
import { teacherSpaceColumns } from '../../shared/schemas/teacher-spaces.ts';
import { importTeacherSpaces, validateTeacherSpaces } from '../programme/teacher-spaces-import.ts';
import { cliActor, database, UsageError, type Command } from './command-line.ts';
import { runTableImport } from './table-import.ts';

/** `santong import-teacher-spaces FILE`: reads, imports and returns the lines to print and the exit code (1 when nothing was imported). */
export function runImportTeacherSpaces(
  db: Db,
  file: string,
  now: number,
  audit: AuditSource,
): Promise<{ exitCode: number; output: string[] }> {
  return runTableImport(file, {
    read: (f) => readTableFile(f, { required: teacherSpaceColumns, optional: [] }),
    validate: (rows) => validateTeacherSpaces(db, rows).errors,
    apply: (rows) => {
      const s = importTeacherSpaces(db, rows, now, audit);
      return { ...s, summary: `${s.changed} schools changed, ${s.unchanged} unchanged (declared figures)` };
    },
  });
}

/** `santong import-teacher-spaces FILE`: problems go to stderr, the summary to stdout. */
export const importTeacherSpacesCommand: Command = async ({ flags, sub: file, now, say }) => {
  if (!file || !fs.existsSync(file))
    throw new UsageError(`import-teacher-spaces needs a file that exists${file ? `: ${file} not found` : ''}`);
  const result = await runImportTeacherSpaces(await database(flags), file, now, {
    actor: cliActor(),
    reason: flags.reason ?? `import-teacher-spaces ${file}`,
  });
  result.output.forEach((line) => (result.exitCode === 0 ? say(line) : process.stderr.write(`${line}\n`)));
  return result.exitCode;
};
