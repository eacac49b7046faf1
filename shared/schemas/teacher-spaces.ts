import { z } from 'zod';
import { boundedText, instantText } from './common.ts';
import { divisionPinyin } from './division-code.ts';
import { cellText, codeText, wholeNumber } from './school.ts';

/*
 * Teacher spaces (网络学习空间人人通): per school, the teachers, the spaces opened for them and the spaces
 * verified under a real name. Declared figures from the platform operator or the county office; no
 * agent can measure them, so every answer carries `declared: true`.
 */

// Far above the largest school of the prefecture; more is a typo, not a staff room.
const MAX_TEACHERS = 5000;

export const teacherSpaceColumns = ['school_code', 'teachers', 'spaces_opened', 'spaces_verified'] as const;
export type TeacherSpaceColumn = (typeof teacherSpaceColumns)[number];

/** The three figures of one school. */
export interface TeacherSpaceFigures {
  teachers: number;
  spacesOpened: number;
  spacesVerified: number;
}

/** What makes a school's figures impossible: more spaces than teachers, more verified than opened. */
export function teacherSpaceProblems(
  f: TeacherSpaceFigures,
): { field: 'spacesOpened' | 'spacesVerified'; reason: string }[] {
  const problems: { field: 'spacesOpened' | 'spacesVerified'; reason: string }[] = [];
  if (f.spacesOpened > f.teachers)
    problems.push({
      field: 'spacesOpened',
      reason: `${f.spacesOpened} spaces opened for ${f.teachers} teachers; a teacher has one space`,
    });
  if (f.spacesVerified > f.spacesOpened)
    problems.push({
      field: 'spacesVerified',
      reason: `${f.spacesVerified} verified but only ${f.spacesOpened} opened; only an opened space can be verified`,
    });
  return problems;
}

/** One row of a teacher-spaces file, keyed by column so an issue names the cell to fix. */
export const teacherSpaceRowSchema = z.object({
  school_code: z.preprocess(cellText, codeText('school code (学校标识码)')),
  teachers: z.preprocess(cellText, wholeNumber(0, MAX_TEACHERS)),
  spaces_opened: z.preprocess(cellText, wholeNumber(0, MAX_TEACHERS)),
  spaces_verified: z.preprocess(cellText, wholeNumber(0, MAX_TEACHERS)),
});
export type TeacherSpaceRow = z.infer<typeof teacherSpaceRowSchema>;

const count = z.number().int('a whole number').min(0, 'not negative').max(MAX_TEACHERS, `at most ${MAX_TEACHERS}`);

/** Body of PUT /api/v1/schools/{code}/teacher-spaces. */
export const teacherSpacesInputSchema = z
  .object({
    teachers: count,
    spacesOpened: count,
    spacesVerified: count,
    reason: boundedText(500).min(1, 'say why these figures are declared, e.g. "operator report 2026-03"'),
  })
  .superRefine((input, ctx) => {
    for (const p of teacherSpaceProblems(input)) ctx.addIssue({ code: 'custom', path: [p.field], message: p.reason });
  });
export type TeacherSpacesInput = z.infer<typeof teacherSpacesInputSchema>;

export const schoolTeacherSpacesSchema = z.object({
  schoolCode: z.string(),
  teachers: z.number().int(),
  spacesOpened: z.number().int(),
  spacesVerified: z.number().int(),
  declared: z.literal(true),
  updatedAt: instantText(),
  updatedBy: z.string().describe('who declared the figures: api-token:<id>, cli:<user> …'),
  changed: z.boolean().describe('false when the figures were already these; no audit entry is written then'),
});

const totals = {
  teachers: z.number().int(),
  opened: z.number().int().describe('spaces opened (declared)'),
  verified: z.number().int().describe('spaces real-name verified (declared)'),
  schoolsDeclared: z.number().int().describe('schools with declared figures'),
};

export const teacherSpacesSchema = z.object({
  target: z
    .number()
    .int()
    .nullable()
    .describe("the plan's target for opened spaces; null for a county scope (the plan sets none per county)"),
  milestones: z.array(z.object({ year: z.number().int(), cumulative: z.number().int() })),
  ...totals,
  declared: z.literal(true).describe('every figure here was declared by people, none measured'),
  counties: z.array(z.object({ code: z.string(), name: z.string(), pinyin: divisionPinyin, ...totals })),
});
export type TeacherSpaces = z.infer<typeof teacherSpacesSchema>;
