import { asc } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { closures } from '../db/schema.ts';
import { calendarOf, type Calendar } from './calendar.ts';

/** Each county's school calendar: closures for every county plus its own. Read once per evaluation. */
export function loadCalendars(db: Db): (countyCode: string) => Calendar {
  const rows = db.select().from(closures).orderBy(asc(closures.startsOn)).all();
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
