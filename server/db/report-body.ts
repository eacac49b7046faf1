import { readFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type Database from 'better-sqlite3';

/**
 * A stored report body: the report's JSON deflated with a preset dictionary of reports as the agent writes
 * them (decision 181). A typical Windows classroom PC's 1.2 KB report stores in ~120 bytes; deflate without
 * the dictionary only halves it, as one report is too short to repeat much of itself.
 *
 * The first byte says how the rest is written, so a body written today reads for ever:
 * - 0x01: raw deflate with dictionary 1 (server/db/report-dictionary-1.txt, which is never edited: a better
 *   dictionary is a new file and a new tag);
 * - '{': plain JSON text, as every body was before migration 0022 (those rows are left as they were).
 */
const DICTIONARY_1 = 0x01;
const JSON_OPEN_BRACE = 0x7b;

const dictionaryFiles = new Map<number, string>([[DICTIONARY_1, 'report-dictionary-1.txt']]);
const dictionaries = new Map<number, Buffer>();
/** Read on first use: drizzle-kit loads the schema, and with it this module, where no body is ever coded. */
function dictionary(tag: number): Buffer | undefined {
  let bytes = dictionaries.get(tag);
  const file = dictionaryFiles.get(tag);
  if (bytes === undefined && file !== undefined) {
    bytes = readFileSync(new URL(`./${file}`, import.meta.url));
    dictionaries.set(tag, bytes);
  }
  return bytes;
}
const CURRENT_TAG = DICTIONARY_1;

/** The stored form of a report's JSON text. */
export function encodeReportBody(json: string): Buffer {
  const deflated = deflateRawSync(json, { dictionary: dictionary(CURRENT_TAG)! });
  const stored = Buffer.allocUnsafe(deflated.length + 1);
  stored[0] = CURRENT_TAG;
  deflated.copy(stored, 1);
  return stored;
}

/** The JSON text of a stored body, whichever way it was written; an unknown tag is refused, never guessed. */
export function decodeReportBody(stored: Uint8Array | string): string {
  if (typeof stored === 'string') return stored;
  const bytes = Buffer.isBuffer(stored) ? stored : Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const tag = bytes[0];
  if (tag === JSON_OPEN_BRACE) return bytes.toString('utf8');
  const preset = tag === undefined ? undefined : dictionary(tag);
  if (preset === undefined)
    throw new Error(`a stored report body starts with byte ${tag ?? 'none'}, which no santong version writes`);
  return inflateRawSync(bytes.subarray(1), { dictionary: preset }).toString('utf8');
}

/** How drizzle reads and writes reports.body, in either dialect: the JSON value in the domain, its stored form below. */
export const reportBodyColumn = {
  toDriver: (value: unknown): Buffer => encodeReportBody(JSON.stringify(value)),
  fromDriver: (stored: Uint8Array | string): unknown => JSON.parse(decodeReportBody(stored)),
};

/**
 * `report_json(body)` in SQL: the body's JSON text, for json_each and json_extract over stored reports
 * (server/coverage/recompute.ts). Registered on every connection the server opens.
 */
export function registerReportJson(sqlite: Database.Database): void {
  sqlite.function('report_json', { deterministic: true }, (stored: unknown) =>
    stored === null ? null : decodeReportBody(stored as Uint8Array | string),
  );
}
