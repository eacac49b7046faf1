import { z } from 'zod';
import { divisionCodeSchema } from './division-code.ts';

/** GB/T 33782-2017 codes of the school types santong tracks (primary and secondary, teaching points included). */
export const schoolTypes = {
  '211': 'primary (小学)',
  '218': 'teaching point (小学教学点)',
  '311': 'junior middle (初级中学)',
  '312': 'nine-year school (九年一贯制学校)',
  '341': 'complete middle (完全中学)',
  '342': 'senior high (高级中学)',
  '345': 'twelve-year school (十二年一贯制学校)',
} as const;
export type SchoolTypeCode = keyof typeof schoolTypes;

/** Urban/rural codes of the statistics bureau: 1xx urban, 2xx rural. */
export const urbanRuralAreas = {
  '111': 'main urban',
  '112': 'urban-rural fringe',
  '121': 'town centre',
  '122': 'town-rural fringe',
  '123': 'special area',
  '210': 'township centre',
  '220': 'village',
} as const;
export type UrbanRuralCode = keyof typeof urbanRuralAreas;

/** The names of the school types, in Chinese as the standard gives them and in English (the dashboard's words). */
export const schoolTypeNames: Record<SchoolTypeCode, { zh: string; en: string }> = {
  '211': { zh: '小学', en: 'Primary school' },
  '218': { zh: '小学教学点', en: 'Teaching point' },
  '311': { zh: '初级中学', en: 'Junior middle school' },
  '312': { zh: '九年一贯制学校', en: 'Nine-year school' },
  '341': { zh: '完全中学', en: 'Complete middle school' },
  '342': { zh: '高级中学', en: 'Senior high school' },
  '345': { zh: '十二年一贯制学校', en: 'Twelve-year school' },
};

/** The names of the urban/rural codes (统计用区划代码和城乡划分代码编制规则, National Bureau of Statistics). */
export const urbanRuralNames: Record<UrbanRuralCode, { zh: string; en: string }> = {
  '111': { zh: '主城区', en: 'main urban area' },
  '112': { zh: '城乡结合区', en: 'urban-rural fringe' },
  '121': { zh: '镇中心区', en: 'town centre' },
  '122': { zh: '镇乡结合区', en: 'town-rural fringe' },
  '123': { zh: '特殊区域', en: 'special area' },
  '210': { zh: '乡中心区', en: 'township centre' },
  '220': { zh: '村庄', en: 'village' },
};

/** The labels the API gives beside a school's two codes; null for a code outside the tables. */
export const schoolCodeLabelsSchema = z.object({
  typeName: z.string().nullable().describe('the school type in Chinese, e.g. 完全中学 for 341'),
  typeNameEn: z.string().nullable().describe('the school type in English, e.g. Complete middle school'),
  urbanRuralName: z.string().nullable().describe('the urban/rural area in Chinese, e.g. 乡中心区 for 210'),
  urbanRuralNameEn: z.string().nullable().describe('the urban/rural area in English, e.g. township centre'),
});
export type SchoolCodeLabels = z.infer<typeof schoolCodeLabelsSchema>;

/** The Chinese and English names of a school's type and urban/rural codes. */
export function schoolCodeLabels(typeCode: string, urbanRuralCode: string): SchoolCodeLabels {
  const type = Object.hasOwn(schoolTypeNames, typeCode) ? schoolTypeNames[typeCode as SchoolTypeCode] : null;
  const area = Object.hasOwn(urbanRuralNames, urbanRuralCode)
    ? urbanRuralNames[urbanRuralCode as UrbanRuralCode]
    : null;
  return {
    typeName: type?.zh ?? null,
    typeNameEn: type?.en ?? null,
    urbanRuralName: area?.zh ?? null,
    urbanRuralNameEn: area?.en ?? null,
  };
}

/** Columns a roster file must have, and those it may have; the roster reader checks the header against these. */
export const requiredRosterColumns = [
  'code',
  'name',
  'county_code',
  'type_code',
  'urban_rural_code',
  'classroom_count',
] as const;
export const optionalRosterColumns = ['township', 'class_count', 'centre_school_code'] as const;
export type RosterColumn = (typeof requiredRosterColumns)[number] | (typeof optionalRosterColumns)[number];

const listCodes = (codes: Record<string, string>) =>
  Object.entries(codes)
    .map(([code, label]) => `${code} ${label}`)
    .join(', ');

/*
 * Cells arrive as text from CSV and as text or numbers from XLSX (Excel stores 622921 as a number unless
 * the column is formatted as text). Numbers become their decimal text, so a code is the same string
 * whichever way it was stored; blank cells become undefined so that "required" has one meaning.
 */
export function cellText(value: unknown): unknown {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : value;
  return text === '' ? undefined : text;
}

const required = (what: string) => ({
  error: (issue: { input: unknown }) => (issue.input === undefined ? `is empty; ${what}` : 'must be text or a number'),
});

export const codeText = (what: string) =>
  z
    .string(required(`give the ${what}`))
    .max(32, 'at most 32 characters')
    .regex(
      /^[0-9A-Za-z][0-9A-Za-z_-]*$/,
      'only letters, digits, - and _ (the 10-digit 学校标识码 where the school has one)',
    );

const optionalText = (max: number) =>
  z.preprocess(cellText, z.string().max(max, `at most ${max} characters`).nullable().default(null)).optional();

export function wholeNumber(min: number, max: number) {
  return z
    .string(required('write a whole number, 0 if there are none'))
    .regex(/^\d+$/, 'must be a whole number like 12')
    .transform(Number)
    .pipe(z.number().min(min, `at least ${min}`).max(max, `at most ${max}`));
}

/*
 * One row of a school roster, keyed by its column names so that an issue's path is the column a person
 * has to fix. Optional columns are undefined when the file has no such column (the import then leaves
 * the stored value alone) and null when the column is there but the cell is blank (the value is cleared).
 */
export const rosterRowSchema = z.object({
  code: z.preprocess(cellText, codeText('school code (学校标识码)')),
  name: z.preprocess(cellText, z.string(required('give the school name')).max(100, 'at most 100 characters')),
  county_code: z.preprocess(
    cellText,
    z.string(required('give the 6-digit county code, e.g. 622921')).pipe(divisionCodeSchema),
  ),
  township: optionalText(64),
  type_code: z.preprocess(
    cellText,
    z.enum(Object.keys(schoolTypes) as [SchoolTypeCode, ...SchoolTypeCode[]], {
      error: (issue) =>
        issue.input === undefined
          ? `is empty; use one of ${listCodes(schoolTypes)}`
          : `${String(issue.input)} is not a GB/T 33782 school type; use one of ${listCodes(schoolTypes)}`,
    }),
  ),
  urban_rural_code: z.preprocess(
    cellText,
    z.enum(Object.keys(urbanRuralAreas) as [UrbanRuralCode, ...UrbanRuralCode[]], {
      error: (issue) =>
        issue.input === undefined
          ? `is empty; use one of ${listCodes(urbanRuralAreas)}`
          : `${String(issue.input)} is not an urban/rural code; use one of ${listCodes(urbanRuralAreas)}`,
    }),
  ),
  // 500 classrooms is well above the largest school in the prefecture; more is a typo, not a school.
  classroom_count: z.preprocess(cellText, wholeNumber(0, 500)),
  class_count: z.preprocess(cellText, wholeNumber(0, 1000).nullable().default(null)).optional(),
  centre_school_code: z.preprocess(cellText, codeText('centre school code').nullable().default(null)).optional(),
});
export type RosterRow = z.infer<typeof rosterRowSchema>;

/** A school as the registry holds it and the API returns it. */
export const schoolSchema = z.object({
  code: z.string(),
  name: z.string(),
  countyCode: z.string(),
  township: z.string().nullable(),
  typeCode: z.string().describe('GB/T 33782-2017 school type, e.g. 211 primary, 218 teaching point'),
  urbanRuralCode: z.string().describe('111–123 urban, 210 township centre, 220 village'),
  classCount: z.number().int().nullable(),
  centreSchoolCode: z.string().nullable().describe('the centre school (中心校) that oversees this one'),
});
export type School = z.infer<typeof schoolSchema>;

/** A classroom of a school; agents name it by code when they enroll. */
export const classroomSchema = z.object({
  code: z.string(),
  name: z.string(),
});
export type Classroom = z.infer<typeof classroomSchema>;
