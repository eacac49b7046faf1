import { z } from 'zod';
import { divisionCodeSchema, divisionLevels, divisionPinyin } from './division-code.ts';

/** `:code` of any division of the deployment's tree (`GET /api/v1/divisions/{code}`). */
export const divisionParams = z.object({ code: divisionCodeSchema });

const divisionRef = z.object({
  code: z.string().describe('GB/T 2260 six-digit code (000000: the country)'),
  name: z.string().describe('the name in Chinese'),
  level: z.enum(divisionLevels),
});

/** `GET /api/v1/divisions/{code}`: one division of the tree with its children and its breadcrumb. */
export const divisionSchema = divisionRef.extend({
  pinyin: divisionPinyin,
  parent: z.string().nullable().describe("the parent division's code; null for the deployment's root"),
  children: z.array(divisionRef).describe('the direct sub-divisions, in code order (empty for a county)'),
  ancestors: z
    .array(divisionRef)
    .describe("the breadcrumb from the deployment's root down to the parent (empty for the root); names only"),
});
export type DivisionAnswer = z.infer<typeof divisionSchema>;
