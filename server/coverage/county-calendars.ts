import { asc } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { closures } from '../db/schema.ts';
import type { Store } from '../db/store.ts';
import { calendarOf, type Calendar } from './calendar.ts';

/** Each county's school calendar: closures for every county plus its own. Read once per evaluation. */
export function loadCalendars(db: Db): (countyCode: string) => Calendar {
  return calendarsOf(db.select().from(closures).orderBy(asc(closures.startsOn)).all());
}

/** loadCalendars on the store (for code moved onto it; the evaluation follows, issue 14). */
export async function readCalendars(store: Store): Promise<(countyCode: string) => Calendar> {
  const { closures } = store.t;
  return calendarsOf(await store.q.select().from(closures).orderBy(asc(closures.startsOn)));
}

/** The calendars of closures `rows` (in start order), built per county on first use. */
function calendarsOf(rows: (typeof closures.$inferSelect)[]): (countyCode: string) => Calendar {
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
