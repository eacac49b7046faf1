import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import type { Dispatcher } from '../http.ts';
import type { z } from 'zod';
import type { networkSchema } from '../../shared/schemas/report.ts';
import { toReportInterfaces, type NetworkInterface } from './interfaces.ts';
import { defaultGatewayFromProcRoute, interfacesFromLinux, readSysNet, wifiBitrate } from './linux-net.ts';
import { probe, summariseInternet } from './reachability.ts';

export type NetworkReport = z.input<typeof networkSchema>;

/** Collects interfaces, the default gateway and reachability of the internet and of configured targets. */
export async function collectNetwork(
  dispatcher: Dispatcher,
  targets: { internet: readonly string[]; extra: readonly string[] },
): Promise<NetworkReport> {
  const [interfaces, gateway] = process.platform === 'linux' ? await linuxNetwork() : await systemNetwork();
  const internetResults = await Promise.all(targets.internet.map((t) => probe(t, dispatcher)));
  const extraResults = await Promise.all(targets.extra.map((t) => probe(t, dispatcher)));
  return {
    interfaces,
    defaultGateway: gateway || null,
    internet: { ...summariseInternet(internetResults), targets: [...internetResults, ...extraResults].slice(0, 32) },
  };
}

/** Linux: node's address list, /sys/class/net and /proc/net/route; no child process unless a Wi-Fi link needs `iw`. */
async function linuxNetwork(): Promise<[NetworkInterface[], string]> {
  const addresses = networkInterfaces();
  const sys = await readSysNet(Object.keys(addresses));
  const facts = interfacesFromLinux(addresses, sys);
  for (const f of facts) if (f.type === 'wireless' && f.speed === null) f.speed = await wifiBitrate(f.iface);
  const gateway = await readFile('/proc/net/route', 'utf8').then(defaultGatewayFromProcRoute, () => '');
  return [toReportInterfaces(facts), gateway];
}

/**
 * Windows and macOS: systeminformation. Its networkInterfaces() blocks the event loop for ~50 ms (it
 * reads and parses synchronously), so it runs once per report and never on the per-minute display check.
 */
async function systemNetwork(): Promise<[NetworkInterface[], string]> {
  const si = await import('systeminformation'); // loaded on first use, so never on Linux
  return Promise.all([
    si
      .networkInterfaces()
      .then((list) => toReportInterfaces(Array.isArray(list) ? list : [list]))
      .catch(() => []),
    si.networkGatewayDefault().catch(() => ''),
  ]);
}
