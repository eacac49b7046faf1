import os from 'node:os';
import type { z } from 'zod';
import { parseServerConfig } from '../config.ts';
import { openStore, storeLocation, type Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { describeIssues } from '../http/validate.ts';
import { ensureReferenceData } from '../plan/plan.ts';
import { establishRoot } from '../divisions/deployment.ts';

/*
 * What every command of `santong` shares (server/cli.ts dispatches): its flags, the database it opens,
 * the actor the audit log names, and the way a bad flag is refused.
 */

/** A problem with how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

export type Flags = Record<string, string | undefined>;

/** One call of a command: `santong COMMAND SUB ARG --flags`, the time it started, and where its lines go. */
export interface Invocation {
  flags: Flags;
  /** The word after the command: `import` in `plan import`, `FILE` in `import-schools FILE`. */
  sub: string | undefined;
  /** The argument after the subcommand (`FILE` in `plan import FILE`). */
  arg: string | undefined;
  now: number;
  say: (line: string) => void;
}

/** A command's handler: its exit code (-1: the process keeps running, as `serve` does). */
export type Command = (run: Invocation) => number | Promise<number>;

export function required(flags: Flags, name: string): string {
  const value = flags[name];
  if (!value) throw new UsageError(`--${name} is required`);
  return value;
}

export function positiveInteger(flags: Flags, name: string): number | null {
  const text = flags[name];
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new UsageError(`--${name} takes a whole number ≥ 1, not "${text}"`);
  return Number(text);
}

export function requiredInteger(flags: Flags, name: string): number {
  required(flags, name);
  return positiveInteger(flags, name)!;
}

/** The person at the terminal, as the audit log names them. */
export function cliActor(): string {
  return `cli:${os.userInfo().username}`;
}

/** The reference data a command needs, as the server would load it; or, for a plan import, only a root asked for. */
async function referenceData(store: Store, root: string | undefined, withReferenceData: boolean): Promise<void> {
  if (withReferenceData) await ensureReferenceData(store, Date.now(), root);
  else if (root !== undefined) await establishRoot(store, root, Date.now());
}

/**
 * Opens the store the settings name (SQLite under the data directory, or PostgreSQL by --database-url /
 * SANTONG_DATABASE_URL), migrated, with the reference data present as the server would have it. A plan
 * import into a fresh database skips the reference data (withReferenceData false), so another prefecture
 * starts with its own plan.
 */
export async function openCommandStore(flags: Flags, withReferenceData = true): Promise<Store> {
  const config = parseServerConfig(flags, process.env);
  const store = await openStore(storeLocation(config));
  try {
    await referenceData(store, config.root, withReferenceData);
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Runs fn over the store the settings name (openCommandStore), closed afterwards whatever happens. */
export async function withCommandStore<T>(
  flags: Flags,
  fn: (store: Store) => Promise<T>,
  withReferenceData = true,
): Promise<T> {
  const store = await openCommandStore(flags, withReferenceData);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Prints a refusal as `santong: …` on stderr; exit code 1. */
export function fail(message: string): number {
  process.stderr.write(`santong: ${message}\n`);
  return 1;
}

/**
 * Parses flags with the same schema the API uses, so both refuse the same input with the same words;
 * `flagOf` names a schema field as the flag that carries it.
 */
export function parsedFlags<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  flagOf: (path: string) => string,
): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new DomainError(
    'invalid',
    'invalid_input',
    describeIssues(result.error)
      .map((i) => `${flagOf(i.path)}: ${i.message}`)
      .join('\n'),
  );
}

/** A schema field as the flag that carries it: countyCode → --county-code. */
export const kebabFlag = (path: string) => `--${path.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The `--id` of a programme record. */
export function recordId(flags: Flags): number {
  if (!flags.id || !/^\d+$/.test(flags.id)) throw new DomainError('invalid', 'invalid_input', '--id takes a number');
  return Number(flags.id);
}
