/*
 * A CSV table must be UTF-8 (with or without its BOM). Files in other encodings are named as such, so the
 * person knows what to change: before, UTF-16 files read as "not UTF-8 (GBK?)" or, without a byte order
 * mark, as a table whose columns were all missing (issue 11, item 5).
 */

/** Byte order marks of encodings that are not UTF-8, as Excel ("Unicode text") and Notepad ("Unicode") write them. */
const otherBoms: [Buffer, string][] = [
  [Buffer.from([0xff, 0xfe, 0x00, 0x00]), 'UTF-32'],
  [Buffer.from([0xff, 0xfe]), 'UTF-16'],
  [Buffer.from([0xfe, 0xff]), 'UTF-16'],
  [Buffer.from([0x00, 0x00, 0xfe, 0xff]), 'UTF-32'],
  [Buffer.from([0x84, 0x31, 0x95, 0x33]), 'GB18030'],
];

/** Why these bytes are no UTF-8 text table, as a reason that says how to save the file; null when they are. */
export function whyNotUtf8(bytes: Buffer): string | null {
  const bom = otherBoms.find(([mark]) => bytes.subarray(0, mark.length).equals(mark));
  if (bom) return `is ${bom[1]} text, not UTF-8; save it as "CSV UTF-8" or as .xlsx`;
  // NUL never occurs in a text table, and every other byte of ASCII text saved as UTF-16 is one.
  if (bytes.includes(0))
    return 'holds NUL bytes: UTF-16 text without a byte order mark, or not a table at all; save it as "CSV UTF-8" or as .xlsx';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Excel's plain "CSV" on a Chinese Windows is GBK, which would otherwise import as mojibake names.
    return 'is not UTF-8 (Excel\'s plain "CSV" is GBK on Chinese Windows); save it as "CSV UTF-8" or as .xlsx';
  }
  return null;
}
