import type { MeasurementSource, SampleFlag } from '../../shared/schemas/coverage.ts';
import type { Report } from '../../shared/schemas/report.ts';
import { median } from './rules.ts';

/*
 * Which download claims are implausible, and whose measurement a device's bandwidth is (decision 085).
 * Pure functions: ingest flags each claim as it stores it, evaluation and `verify` weigh them.
 */

/** No school PC moves more than 10 Gbit/s: 10GBASE-T is the fastest link one has. */
export const PHYSICAL_CAP_MBPS = 10_000;

/**
 * A claim this many times what the server itself measured for the same device disagrees with it beyond
 * the server's own error (one round trip and the agent's pause between download and upload make the
 * server's figure a little low; unread socket buffers a little high: together well under 1.5×).
 */
export const SERVER_AGREEMENT_FACTOR = 1.5;

/**
 * The fastest the PC's own links allow: the highest speed of its up, non-virtual interfaces, or null
 * when any of them does not say (Wi-Fi often reports none) — then any of them may have carried the test.
 */
export function linkSpeedMbps(interfaces: Report['network']['interfaces']): number | null {
  const links = interfaces.filter((i) => i.up && i.type !== 'virtual');
  if (links.length === 0 || links.some((i) => i.speedMbps == null || i.speedMbps <= 0)) return null;
  return Math.max(...links.map((i) => i.speedMbps!));
}

/** The flag a report's own facts earn its download claim at ingest, or null when it is plausible. */
export function claimFlag(report: Report): 'above-link' | 'above-cap' | null {
  const down = report.network.throughput?.downMbps;
  if (down == null) return null;
  const link = linkSpeedMbps(report.network.interfaces);
  if (link !== null && down > link) return 'above-link';
  return down > PHYSICAL_CAP_MBPS ? 'above-cap' : null;
}

export interface DeviceBandwidth {
  down: number | null;
  source: MeasurementSource | null;
  flagged: number;
  reasons: SampleFlag[];
}

/**
 * One device's bandwidth in the window. When the server measured the device itself, the median of its
 * own measurements is the figure and the agent's claims are shown but do not count (those far above
 * what the server saw are flagged); otherwise the median of the claims that carry no flag.
 */
export function deviceBandwidth(
  claims: readonly { down: number; flag: SampleFlag | null }[],
  serverMeasured: readonly number[],
): DeviceBandwidth {
  const reasons = new Set<SampleFlag>();
  let flagged = 0;
  const ceiling = serverMeasured.length === 0 ? Infinity : Math.max(...serverMeasured) * SERVER_AGREEMENT_FACTOR;
  const counted: number[] = [];
  for (const claim of claims) {
    const flag = claim.flag ?? (claim.down > ceiling ? 'above-server' : null);
    if (flag === null) counted.push(claim.down);
    else {
      flagged++;
      reasons.add(flag);
    }
  }
  const down = serverMeasured.length > 0 ? median(serverMeasured) : median(counted);
  return {
    down,
    source: down === null ? null : serverMeasured.length > 0 ? 'server' : 'agent',
    flagged,
    reasons: [...reasons].sort(),
  };
}

/** Reasons as stored (comma-separated, sorted), or null for none. */
export function storedReasons(reasons: Iterable<string>): string | null {
  const list = [...new Set(reasons)].sort();
  return list.length === 0 ? null : list.join(',');
}

/** Stored reasons as the API gives them. */
export function reasonList(stored: string | null): SampleFlag[] {
  return stored === null ? [] : (stored.split(',') as SampleFlag[]);
}
