import type { DeviceDisplay } from '../../shared/schemas/coverage.ts';
import type { Report } from '../../shared/schemas/report.ts';
import { decodeReportBody } from '../db/report-body.ts';
import { statement, type Store } from '../db/store.ts';

/*
 * What a device last reported about its displays, and why each got its kind, read from the stored body
 * of its latest report: one indexed lookup per device (reports_device_collected), never a scan of history.
 */
export const latestBody = statement<{ body: Buffer | string }, [string, number]>(
  'select body from reports where device_id = ? and collected_at = ? order by received_at desc limit 1',
);

/** A display's diagonal in inches from its EDID size in cm, or null when it has no fixed size (projectors report 0 × 0). */
export function diagonalInches(widthCm: number | undefined, heightCm: number | undefined): number | null {
  if (!widthCm || !heightCm) return null;
  return Math.round((Math.hypot(widthCm, heightCm) / 2.54) * 10) / 10;
}

/** The displays of a device's latest report (collected at `lastCollectedAt`); empty when none is stored. */
export async function latestDisplays(
  store: Store,
  deviceId: string,
  lastCollectedAt: number | null,
): Promise<DeviceDisplay[]> {
  if (lastCollectedAt === null) return [];
  return displaysOf(await store.row(latestBody, deviceId, lastCollectedAt));
}

/** The displays a stored report body (latestBody's row) gives; empty when there is none. */
export function displaysOf(latest: { body: Buffer | string } | undefined): DeviceDisplay[] {
  if (latest === undefined) return [];
  const displays = (JSON.parse(decodeReportBody(latest.body)) as Pick<Report, 'displays'>).displays ?? [];
  return displays.map((d) => ({
    kind: d.kind,
    vendor: d.vendor ?? null,
    model: d.model ?? null,
    connection: d.connection ?? null,
    widthCm: d.widthCm ?? null,
    heightCm: d.heightCm ?? null,
    diagonalInches: diagonalInches(d.widthCm, d.heightCm),
    touch: d.touch ?? null,
    evidence: d.evidence ?? [],
  }));
}
