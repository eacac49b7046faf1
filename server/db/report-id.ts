/**
 * A stored report id: the agent's UUID as its 16 bytes (decision 181), not its 36 characters of text. The id
 * is in the reports table and again in its primary-key index, so the text form cost 40 bytes a report more.
 * An id stored before migration 0022 that is not a UUID (none the server accepted since the first release)
 * stays text and reads back as it was.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The stored form of a report id. */
export function encodeReportId(id: string): Buffer | string {
  return UUID.test(id) ? Buffer.from(id.replaceAll('-', ''), 'hex') : id;
}

/** A stored report id as the agent wrote it (lower-case UUID text). */
export function decodeReportId(stored: Uint8Array | string): string {
  if (typeof stored === 'string') return stored;
  const hex = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength).toString('hex');
  if (hex.length !== 32) throw new Error(`a stored report id of ${stored.byteLength} bytes is not a UUID`);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** How drizzle reads and writes reports.id, in either dialect. */
export const reportIdColumn = {
  toDriver: (id: string): Buffer | string => encodeReportId(id),
  fromDriver: (stored: Uint8Array | string): string => decodeReportId(stored),
};
