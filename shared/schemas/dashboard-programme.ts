import { z } from 'zod';
import { csrf, optional, passwordSchema } from './dashboard.ts';
import {
  closureRequestSchema,
  declarationListQuerySchema,
  declarationRequestSchema,
  withdrawalSchema,
} from './declarations.ts';
import { inspectionDrawSchema, inspectionResultSchema } from './inspections.ts';

/*
 * The dashboard's programme forms (issue 5 in the browser). Each is the API's own schema plus the CSRF
 * token, so a form and an API call are held to the same rules; empty fields arrive as '' and mean absent.
 */
const blankToAbsent = (value: unknown) =>
  value && typeof value === 'object' ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== '')) : value;

export const declarationFormSchema = z.preprocess(blankToAbsent, declarationRequestSchema.safeExtend({ _csrf: csrf }));
export const withdrawalFormSchema = withdrawalSchema.extend({ _csrf: csrf });
export const closureFormSchema = z.preprocess(blankToAbsent, closureRequestSchema.safeExtend({ _csrf: csrf }));
export const reasonFormSchema = withdrawalFormSchema;
export const inspectionDrawFormSchema = inspectionDrawSchema.extend({
  _csrf: csrf,
  perCounty: z.coerce.number().int().min(1).max(500),
});
export const inspectionResultFormSchema = z.preprocess(
  blankToAbsent,
  inspectionResultSchema.safeExtend({ _csrf: csrf }),
);
export const passwordResetFormSchema = z.object({ _csrf: csrf, password: passwordSchema });

/** The declarations list's filters (the page and its exports). */
export const declarationPageQuerySchema = z.preprocess(
  blankToAbsent,
  declarationListQuerySchema.omit({ format: true }).extend({
    school: optional(z.string().trim().max(64)),
    declared: optional(z.coerce.number().int().min(1)),
    withdrawn: optional(z.coerce.number().int().min(1)),
  }),
);
