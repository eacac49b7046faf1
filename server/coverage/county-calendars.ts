import { statement, type Store } from '../db/store.ts';
import { calendarOf, type Calendar } from './calendar.ts';

type ClosureDays = { countyCode: string | null; startsOn: string; endsOn: string };

/** Every closure in start order: read once per evaluation (ingest's group commit included), so prepared once. */
export const closuresInOrder = statement<ClosureDays, []>(
  'select county_code as "countyCode", starts_on as "startsOn", ends_on as "endsOn" from closures order by starts_on',
);

/** Each county's school calendar: closures for every county plus its own. Read once per evaluation. */
export async function readCalendars(store: Store): Promise<(countyCode: string) => Calendar> {
  return calendarsOf(await store.rows(closuresInOrder));
}

/** The calendars of closures `rows` (in start order), built per county on first use. */
export function calendarsOf(rows: readonly ClosureDays[]): (countyCode: string) => Calendar {
  const byCounty = new Map<string, Calendar>();
  return (countyCode) => {
    let calendar = byCounty.get(countyCode);
    if (!calendar) {
      calendar = calendarOf(rows.filter((c) => c.countyCode === null || c.countyCode === countyCode));
      byCounty.set(countyCode, calendar);
    }
    return calendar;
  };
}
