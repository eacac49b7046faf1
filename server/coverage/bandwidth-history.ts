import { and, asc, eq, gte, isNotNull, isNull, lte } from 'drizzle-orm';
import type { Store } from '../db/store.ts';
import { median } from './rules.ts';
import { DAY_MS, localDay } from '../../shared/time/china-time.ts';

/**
 * A school's measured download speed per day (China Standard Time days) over the last `days` days:
 * the median of every throughput sample of its unrevoked devices that day, implausible claims left out
 * (decision 085). For the school page's chart;
 * reads evidence directly, bounded by one school and the period.
 */
export async function readBandwidthHistory(
  store: Store,
  schoolCode: string,
  now: number,
  days = 30,
): Promise<{ day: string; medianDownMbps: number; samples: number }[]> {
  const from = now - days * DAY_MS;
  const { devices, reports } = store.t;
  const samples = await store.q
    .select({ collectedAt: reports.collectedAt, down: reports.downMbps })
    .from(reports)
    .innerJoin(devices, eq(devices.id, reports.deviceId))
    .where(
      and(
        eq(devices.schoolCode, schoolCode),
        isNull(devices.revokedAt),
        isNotNull(reports.downMbps),
        isNull(reports.downFlag),
        gte(reports.collectedAt, from),
        lte(reports.collectedAt, now),
      ),
    )
    .orderBy(asc(reports.collectedAt));
  const byDay = new Map<string, number[]>();
  for (const s of samples) {
    const day = localDay(s.collectedAt);
    const values = byDay.get(day);
    if (values) values.push(s.down!);
    else byDay.set(day, [s.down!]);
  }
  return [...byDay].map(([day, values]) => ({ day, medianDownMbps: median(values)!, samples: values.length }));
}
