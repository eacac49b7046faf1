import { parseCtaBlock, parseDisplayIdBlock, type CtaFacts, type DisplayIdFacts } from './edid-extensions.ts';

/**
 * Parser for the 128-byte EDID base block (VESA E-EDID 1.3/1.4) that every display hands its source.
 * Pure: bytes in, fields out, so it is tested with hand-built blocks and reused on every platform.
 */

export type ParsedEdid = {
  /** Three-letter PNP id from the UEFI registry (e.g. SEC for Seiko Epson, HHT for Hitevision). */
  vendorId: string;
  productCode: number;
  /** The 32-bit serial from bytes 12–15, absent when the maker left 0 or a known placeholder. */
  serialNumber?: number;
  /** The serial text descriptor (tag 0xFF), which makers fill far more reliably than the number. */
  serialText?: string;
  /** The monitor name descriptor (tag 0xFC), e.g. "EPSON PJ" or "seewo". */
  name?: string;
  manufactureWeek?: number;
  manufactureYear?: number;
  /** True when byte 16 is 0xFF: the year is a model year, not a manufacture year. */
  isModelYear: boolean;
  version: string;
  digital: boolean;
  /** Physical size; 0 × 0 means "undefined", which projectors report because their image has no fixed size. */
  widthCm: number;
  heightCm: number;
  /** Native resolution from the first detailed timing descriptor. */
  widthPx?: number;
  heightPx?: number;
  extensionCount: number;
  /** Image size in millimetres from the first detailed timing (bytes 12–14), which some firmware fills when bytes 21–22 are 0. */
  imageWidthMm?: number;
  imageHeightMm?: number;
  /** Whether a display range limits descriptor (tag FDh) is present: required of monitors by E-EDID 1.3, rare on laptop panels. */
  hasRangeLimits: boolean;
  /** Unspecified text descriptors (tag FEh), where laptop panels put their maker and part number (e.g. "LP156WF6-SPB1"). */
  texts: string[];
  /** The first CTA-861 extension (TV video formats, audio, HDMI blocks), when the EDID carries one. */
  cta?: CtaFacts;
  /** The first DisplayID extension's product type or use case. */
  displayId?: DisplayIdFacts;
};

export type EdidResult = { ok: true; edid: ParsedEdid } | { ok: false; reason: string };

const HEADER = [0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00];
/** Serial numbers seen on many unrelated panels; reporting them would make different displays look the same. */
const PLACEHOLDER_SERIALS = new Set([0, 0x01010101, 0xffffffff]);

/** Parses an EDID base block; refuses a wrong length, header or checksum rather than guess. */
export function parseEdid(bytes: Uint8Array): EdidResult {
  if (bytes.length < 128) return { ok: false, reason: `EDID is ${bytes.length} bytes, a base block has 128` };
  const b = (i: number): number => bytes[i] ?? 0;
  if (!HEADER.every((v, i) => b(i) === v)) return { ok: false, reason: 'EDID header is not 00 FF FF FF FF FF FF 00' };
  let sum = 0;
  for (let i = 0; i < 128; i++) sum = (sum + b(i)) & 0xff;
  if (sum !== 0) return { ok: false, reason: `EDID checksum fails (bytes sum to ${sum} mod 256, not 0)` };

  const id = (b(8) << 8) | b(9);
  const letter = (n: number): string => String.fromCharCode(64 + (n & 0x1f));
  const vendorId = letter(id >> 10) + letter(id >> 5) + letter(id);
  if (!/^[A-Z]{3}$/.test(vendorId)) return { ok: false, reason: 'EDID manufacturer id is not three letters' };

  const serial = (b(12) | (b(13) << 8) | (b(14) << 16) | (b(15) << 24)) >>> 0;
  const week = b(16);
  const edid: ParsedEdid = {
    vendorId,
    productCode: b(10) | (b(11) << 8),
    isModelYear: week === 0xff,
    version: `${b(18)}.${b(19)}`,
    digital: (b(20) & 0x80) !== 0,
    widthCm: b(21),
    heightCm: b(22),
    extensionCount: b(126),
    hasRangeLimits: false,
    texts: [],
  };
  if (!PLACEHOLDER_SERIALS.has(serial)) edid.serialNumber = serial;
  if (week >= 1 && week <= 54) edid.manufactureWeek = week;
  if (b(17) > 0) edid.manufactureYear = 1990 + b(17);

  for (let offset = 54; offset <= 108; offset += 18) {
    const d = bytes.subarray(offset, offset + 18);
    if (d[0] !== 0 || d[1] !== 0) {
      // A detailed timing descriptor; the first one is the preferred (native) mode.
      if (edid.widthPx === undefined) {
        edid.widthPx = (d[2] ?? 0) | (((d[4] ?? 0) & 0xf0) << 4);
        edid.heightPx = (d[5] ?? 0) | (((d[7] ?? 0) & 0xf0) << 4);
        edid.imageWidthMm = (d[12] ?? 0) | (((d[14] ?? 0) & 0xf0) << 4);
        edid.imageHeightMm = (d[13] ?? 0) | (((d[14] ?? 0) & 0x0f) << 8);
      }
      continue;
    }
    const text = descriptorText(d);
    if (d[3] === 0xfc && text) edid.name = text;
    if (d[3] === 0xff && text) edid.serialText = text;
    if (d[3] === 0xfe && text) edid.texts.push(text);
    if (d[3] === 0xfd) edid.hasRangeLimits = true;
  }
  // Extension blocks are read only when present in full; a damaged one is skipped, never a reason to refuse the base.
  for (let offset = 128; offset + 128 <= bytes.length && offset < 128 * (1 + edid.extensionCount); offset += 128) {
    const block = bytes.subarray(offset, offset + 128);
    edid.cta ??= parseCtaBlock(block);
    edid.displayId ??= parseDisplayIdBlock(block);
  }
  return { ok: true, edid };
}

/** Text of a display descriptor: 13 bytes from offset 5, ended by 0x0A and padded with spaces. */
function descriptorText(d: Uint8Array): string | undefined {
  let text = '';
  for (const c of d.subarray(5, 18)) {
    if (c === 0x0a || c === 0x00) break;
    // Code page 437 in the standard; anything outside printable ASCII is noise from a bad EDID writer.
    text += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '';
  }
  return text.trim() || undefined;
}
