import { z } from 'zod';
import { divisionCodeSchema } from './division-code.ts';

/* Path parameters the routes share: one schema each, so every route accepts the same and says the same. */

/** `:code` of a county (the API's county coverage, the dashboard's county page). */
export const countyParams = z.object({ code: divisionCodeSchema });

/** `:code` of a school (national school codes are digits, but the registry accepts up to 64 characters). */
export const schoolParams = z.object({ code: z.string().min(1).max(64) });

/** `:id` of a stored record (declaration, closure, inspection, token, user). */
export const idParams = z.object({ id: z.coerce.number().int().min(1) });
