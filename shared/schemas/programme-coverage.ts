import type { z } from 'zod';
import { coverageSchema } from './coverage.ts';
import { progressSchema } from './history.ts';
import { platformCoverageSchema } from './platforms.ts';
import { teacherSpacesSchema } from './teacher-spaces.ts';

/**
 * The whole programme (三通两平台) for a scope, as `GET /api/v1/coverage` answers it: the measured coverage,
 * declared teacher spaces with progress against the plan, and the two platforms (declared built, probed reachable).
 */
export const programmeCoverageSchema = coverageSchema.extend({
  teacherSpaces: teacherSpacesSchema.extend({ progress: progressSchema.shape.schoolsConnected }),
  platforms: platformCoverageSchema,
});
export type ProgrammeCoverage = z.infer<typeof programmeCoverageSchema>;
