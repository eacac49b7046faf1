import si from 'systeminformation';
import type { Dispatcher } from 'undici';
import type { z } from 'zod';
import type { networkSchema } from '../../shared/schemas/report.ts';
import { toReportInterfaces } from './interfaces.ts';
import { probe, summariseInternet } from './reachability.ts';

export type NetworkReport = z.input<typeof networkSchema>;

/** Collects interfaces, the default gateway and reachability of the internet and of configured targets. */
export async function collectNetwork(
  dispatcher: Dispatcher,
  targets: { internet: readonly string[]; extra: readonly string[] },
): Promise<NetworkReport> {
  // networkInterfaces() blocks the event loop for ~50 ms (it reads and parses synchronously), so it
  // runs once per report and never on the per-minute display check.
  const [interfaces, gateway] = await Promise.all([
    si.networkInterfaces().then((list) => toReportInterfaces(Array.isArray(list) ? list : [list])).catch(() => []),
    si.networkGatewayDefault().catch(() => ''),
  ]);
  const internetResults = await Promise.all(targets.internet.map((t) => probe(t, dispatcher)));
  const extraResults = await Promise.all(targets.extra.map((t) => probe(t, dispatcher)));
  return {
    interfaces,
    defaultGateway: gateway || null,
    internet: { ...summariseInternet(internetResults), targets: [...internetResults, ...extraResults].slice(0, 32) },
  };
}
