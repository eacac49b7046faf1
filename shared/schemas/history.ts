import { z } from 'zod';
import { dayText } from './common.ts';
import { divisionCodeSchema } from './division-code.ts';

const day = z.iso.date('a date like 2027-03-01');

export const historyQuerySchema = z.object({
  division: divisionCodeSchema.optional(), // a county or the prefecture
  from: day.optional(),
  to: day.optional(),
  format: z.enum(['json', 'csv', 'xlsx']).default('json').describe('json, or the rows as csv or xlsx'),
});

const figures = z.object({
  schools: z.object({
    registered: z.number(),
    connected: z.number(),
    meetingStandard: z.number(),
    declaredConnected: z.number(),
    declarationConflicts: z.number(),
  }),
  classrooms: z.object({ registered: z.number(), equipped: z.number(), declaredEquipped: z.number() }),
  devices: z.object({
    enrolled: z.number(),
    live: z.number(),
    atRisk: z.number(),
    silent: z.number(),
    never: z.number(),
  }),
});

export const historySchema = z.object({
  series: z.array(
    z.object({
      day: dayText(),
      divisionCode: z.string(),
      name: z.string(),
      source: z.enum(['live', 'backfill']),
      figures,
    }),
  ),
});

const progress = z.object({
  expectedShare: z.number().describe('share of the unit the plan expects done by now (interpolated within the year)'),
  measuredShare: z.number().nullable().describe('share measured done; declared statuses never count'),
  status: z.enum(['on-track', 'behind', 'no-data']),
});
export const progressSchema = z.object({
  year: z.number().int(),
  schoolsConnected: progress,
  classroomsEquipped: progress,
});
