import { z } from 'zod';

/** A MAC address, normalised to lower case with colons. */
export const macAddressSchema = z
  .string()
  .regex(/^[0-9a-fA-F]{2}([:-][0-9a-fA-F]{2}){5}$/, 'a MAC address like 00:1a:2b:3c:4d:5e')
  .transform((m) => m.toLowerCase().replaceAll('-', ':'));

/** Trimmed text with a length cap, so no field can carry an unbounded string into the database. */
export const boundedText = (max: number) => z.string().trim().max(max, `at most ${max} characters`);

export const isoDateTimeSchema = z.iso.datetime({
  offset: true,
  message: 'an ISO 8601 date-time with offset, e.g. 2026-03-01T08:00:00Z',
});

/** An instant in an API answer: ISO 8601 in UTC, as `Date.prototype.toISOString` writes it. */
export const instantText = () => z.iso.datetime();

/** A calendar day in an API answer, `YYYY-MM-DD` (a Beijing day where it is one). */
export const dayText = () => z.iso.date();
