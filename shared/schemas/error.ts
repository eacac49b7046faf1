import { z } from 'zod';

/** Every error the API returns has this shape; `issues` names each bad field when input was rejected. */
export const apiErrorSchema = z.object({
  error: z.string().describe('what went wrong and how to fix it'),
  code: z.string().describe('stable machine-readable code, e.g. invalid_input, token_expired'),
  issues: z
    .array(z.object({ path: z.string(), message: z.string() }))
    .optional()
    .describe('one entry per bad field, path like reports.3.collectedAt'),
});
export type ApiError = z.infer<typeof apiErrorSchema>;
