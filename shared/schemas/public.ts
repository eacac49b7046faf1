import { z } from 'zod';
import { instantText } from './common.ts';
import { levelCoverageSchema } from './platforms.ts';

/*
 * Public disclosure (信息公开): county and prefecture aggregates only. No school, classroom, device or
 * person appears, by name or by code; a test walks the whole answer to keep it that way.
 */
const schools = z.object({
  registered: z.number().int(),
  connected: z
    .number()
    .int()
    .describe('measured: a device of the school reached the internet within the evidence window'),
  meetingStandard: z.number().int().describe('measured bandwidth meets the school’s standard'),
});
const classrooms = z.object({ registered: z.number().int(), equipped: z.number().int().describe('measured') });
const teacherSpaces = z.object({
  teachers: z.number().int(),
  opened: z.number().int(),
  verified: z.number().int(),
  declared: z.literal(true).describe('declared by the platform operator or county office, not measured'),
});
const platformKind = z.object({
  declaredBuilt: z.number().int(),
  reachable: z.number().int().describe('measured by the server'),
});
const countyPlatforms = z.object({
  county: z.object({ resource: platformKind, management: platformKind }),
  centreSchools: z.object({ units: z.number().int(), resource: platformKind, management: platformKind }),
});

export const publicCoverageSchema = z.object({
  asOf: instantText(),
  prefecture: z.object({
    code: z.string(),
    name: z.string(),
    schools: schools.extend({ target: z.number().int() }),
    classrooms: classrooms.extend({ target: z.number().int() }),
    teacherSpaces: teacherSpaces.extend({ target: z.number().int() }),
    platforms: z.array(levelCoverageSchema),
  }),
  counties: z.array(
    z.object({
      code: z.string(),
      name: z.string(),
      schools,
      classrooms,
      teacherSpaces,
      platforms: countyPlatforms,
    }),
  ),
});
export type PublicCoverage = z.infer<typeof publicCoverageSchema>;
