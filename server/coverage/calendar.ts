import { endOfLocalDay, startOfLocalDay } from '../../shared/time/china-time.ts';
/*
 * School calendar arithmetic. Evidence and device silence age only while schools are open: during a
 * closure (winter and summer holidays) the clock of every window stops, so coverage does not collapse
 * each summer and PCs switched off for the holidays are not blamed for it.
 *
 * A calendar is a sorted list of disjoint, non-touching closed intervals [start, end) in ms.
 */
export type Calendar = readonly (readonly [number, number])[];

export const alwaysOpen: Calendar = [];

/** Builds a calendar from closures given as inclusive local dates (YYYY-MM-DD), merging overlaps. */
export function calendarOf(closures: readonly { startsOn: string; endsOn: string }[]): Calendar {
  const intervals = closures
    .map((c) => [startOfLocalDay(c.startsOn), endOfLocalDay(c.endsOn)] as [number, number])
    .filter(([start, end]) => end > start)
    .sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of intervals) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Open (school) time between a and b, in ms: b − a less the closed time in between. */
export function openTime(calendar: Calendar, a: number, b: number): number {
  if (b <= a) return 0;
  let closed = 0;
  for (const [start, end] of calendar) {
    if (start >= b) break;
    closed += Math.max(0, Math.min(end, b) - Math.max(start, a));
  }
  return b - a - closed;
}

/** The earliest instant t with openTime(t, end) ≤ duration: where a window of `duration` open time ending at `end` begins. */
export function openWindowStart(calendar: Calendar, end: number, duration: number): number {
  let cursor = end;
  let remaining = duration;
  for (let i = calendar.length - 1; i >= 0; i--) {
    const [start, stop] = calendar[i]!;
    if (start >= cursor) continue;
    if (stop < cursor) {
      const open = cursor - stop;
      if (open > remaining) return cursor - remaining;
      remaining -= open;
    }
    // Closed time adds nothing: the window reaches back through the whole closure.
    cursor = start;
  }
  return cursor - remaining;
}

/** The latest instant t with openTime(begin, t) ≤ duration: the last moment evidence from `begin` is at most `duration` old. */
export function openWindowEnd(calendar: Calendar, begin: number, duration: number): number {
  let cursor = begin;
  let remaining = duration;
  for (const [start, stop] of calendar) {
    if (stop <= cursor) continue;
    if (start > cursor) {
      const open = start - cursor;
      if (open > remaining) return cursor + remaining;
      remaining -= open;
    }
    cursor = stop;
  }
  return cursor + remaining;
}
