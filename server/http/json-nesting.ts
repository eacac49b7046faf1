import type { HonoRequest } from 'hono';
import { DomainError } from '../errors.ts';

/*
 * JSON.parse on the event loop costs seconds for a deeply nested body: 4 MiB of `[` took ~2 s on a quiet
 * machine (7 s on a loaded one) before any check ran, and every other request waited (issue 11, item 4).
 * The raw bytes are scanned once before parsing; a body that opens more arrays and objects at once than
 * any request needs is refused at the first byte too deep, so refusing costs almost nothing.
 */

/** Deepest nesting of arrays and objects a request body may have: over 4× the deepest wire schema (a report batch, 7). */
export const MAX_JSON_DEPTH = 32;

const quote = 0x22;
const backslash = 0x5c;

/**
 * The offset of the first byte that opens an array or object more than `limit` deep in raw JSON text, or
 * -1. One pass; strings are skipped whole (native indexOf to their closing quote, escapes honoured), so
 * brackets in text never count, and the count never falls short of how JSON.parse would nest. UTF-8 is
 * safe to scan byte by byte: no byte of a multi-byte character is an ASCII bracket, quote or backslash.
 */
export function nestingBeyond(bytes: Uint8Array, limit: number): number {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i];
    if (byte === quote) {
      // The closing quote is the next one not escaped: preceded by an even run of backslashes.
      let slashes = 1;
      while (slashes % 2 === 1) {
        i = bytes.indexOf(quote, i + 1);
        if (i < 0) return -1; // an unclosed string: JSON.parse refuses it, quickly
        for (slashes = 0; bytes[i - 1 - slashes] === backslash;) slashes++;
      }
    } else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > limit) return i;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return -1;
}

/** Refuses (400) a JSON body nested deeper than MAX_JSON_DEPTH before it is parsed; the bytes read stay cached for the validator. */
export async function refuseDeepJson(request: HonoRequest): Promise<void> {
  if (!request.header('content-type')?.toLowerCase().includes('json')) return;
  const at = nestingBeyond(new Uint8Array(await request.arrayBuffer()), MAX_JSON_DEPTH);
  if (at >= 0) {
    throw new DomainError(
      'invalid',
      'json_too_deep',
      `the JSON body nests arrays and objects more than ${MAX_JSON_DEPTH} deep (at byte ${at}); no santong request needs more, so it was not parsed`,
    );
  }
}
