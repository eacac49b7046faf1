import { execFile } from 'node:child_process';
import { join } from 'node:path';

/** One registry key as `reg query` prints it: its full path and the values listed under it. */
export type RegKey = { path: string; values: RegValue[] };
export type RegValue = { name: string; type: string; data: string };

/** Runs `reg query` with these arguments; the text it printed, or undefined when the key is missing or reg failed. */
export type RegQuery = (args: readonly string[]) => Promise<string | undefined>;

/**
 * Parses the text `reg query` prints: a key's path at the start of a line, then its values indented by four
 * spaces as `NAME    TYPE    DATA`. Blank lines and the localized footer ("End of search: 3 match(es) found.",
 * "搜索结束: 找到 3 匹配。") are neither, so they are skipped without knowing the language.
 */
export function parseRegQuery(text: string): RegKey[] {
  const keys: RegKey[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (/^HKEY_/i.test(line)) {
      keys.push({ path: line.trimEnd(), values: [] });
      continue;
    }
    const value = /^ {4}(.*?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(line.trimEnd());
    const key = keys.at(-1);
    if (value && key) key.values.push({ name: value[1]!, type: value[2]!, data: value[3] ?? '' });
  }
  return keys;
}

/** REG_BINARY data as reg prints it (hex digits, no separators) → bytes; undefined when it is not whole bytes of hex. */
export function regBinary(data: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})+$/i.test(data)) return undefined;
  return Uint8Array.from(data.match(/../g)!, (byte) => Number.parseInt(byte, 16));
}

/** REG_MULTI_SZ data as reg prints it: the strings joined by a literal `\0`. */
export function regMultiString(data: string): string[] {
  return data.split('\\0').filter((s) => s.length > 0);
}

/**
 * Windows' own reg.exe by absolute path (no PATH lookup, no shell), hidden, bounded in time and output.
 * A missing key prints nothing and exits 1: undefined, "not there". What reg printed before it failed (a key
 * only SYSTEM may read, met by `/s` when the agent is run by hand as an administrator) is still what it read.
 */
export const runRegQuery: RegQuery = (args) => {
  const reg = join(process.env.SystemRoot ?? 'C:\\Windows', 'System32', 'reg.exe');
  return new Promise((resolve) => {
    const options = { windowsHide: true, timeout: 15_000, maxBuffer: 8 * 1024 * 1024, encoding: 'latin1' } as const;
    execFile(reg, ['query', ...args], options, (_error, stdout) => resolve(stdout.length > 0 ? stdout : undefined));
  });
};
