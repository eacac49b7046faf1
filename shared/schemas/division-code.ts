import { z } from 'zod';

/**
 * A division code (行政区划代码) of a county or the prefecture: six digits. One schema for every route
 * parameter, query and form field that takes one, so they all accept the same and say the same.
 */
export const divisionCodeSchema = z.string().regex(/^\d{6}$/, 'a 6-digit administrative division code, e.g. 622921');

/** The levels of the division tree, from the top: the country (000000, a deployment root only) down to the county. */
export const divisionLevels = ['country', 'province', 'prefecture', 'county'] as const;
export type DivisionLevelName = (typeof divisionLevels)[number];

/** A division's name in pinyin in an answer: English pages show it instead of the Chinese name (decision 168). */
export const divisionPinyin = z.string().nullable().describe('the name in pinyin, where the reference has it');
