import { execFile } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import type { InterfaceFacts } from './interfaces.ts';

/*
 * Network facts on Linux straight from the kernel's files. systeminformation learns the same things by
 * starting a shell per interface that cats these files (plus nmcli and iw): ~65 ms of CPU a report.
 */

/** What /sys/class/net/<name>/ says about one interface. */
export type SysNetFacts = { operstate: string; speed: number | null; wireless: boolean };

/** Reads operstate, link speed and whether it is a Wi-Fi adapter for each named interface under `root`. */
export async function readSysNet(names: readonly string[], root = '/sys/class/net'): Promise<Map<string, SysNetFacts>> {
  const facts = new Map<string, SysNetFacts>();
  await Promise.all(
    names.map(async (name) => {
      const dir = join(root, name);
      const text = (file: string) =>
        readFile(join(dir, file), 'utf8').then(
          (t) => t.trim(),
          () => '',
        );
      const exists = (file: string) =>
        access(join(dir, file)).then(
          () => true,
          () => false,
        );
      const [operstate, speedText, wext, cfg80211] = await Promise.all([
        text('operstate'),
        text('speed'),
        exists('wireless'),
        exists('phy80211'),
      ]);
      // speed reads as -1 (or fails with EINVAL) when the link is down or the driver does not know.
      const speed = /^\d+$/.test(speedText) ? Number(speedText) : null;
      facts.set(name, { operstate, speed, wireless: wext || cfg80211 });
    }),
  );
  return facts;
}

/** MAC prefixes of hypervisors' virtual adapters (VMware, Hyper-V, Xen, VirtualBox, QEMU/KVM, Parallels …), as systeminformation lists them. */
const virtualMacPrefixes = [
  '00:00:00:00:00:00',
  '00:03:FF',
  '00:05:69',
  '00:0C:29',
  '00:0F:4B',
  '00:13:07',
  '00:13:BE',
  '00:15:5D',
  '00:16:3E',
  '00:1C:42',
  '00:21:F6',
  '00:24:0B',
  '00:50:56',
  '00:A0:B1',
  '00:E0:C8',
  '08:00:27',
  '0A:00:27',
  '18:92:2C',
  '16:DF:49',
  '3C:F3:92',
  '54:52:00',
  'FC:15:97',
];

/**
 * Interfaces as systeminformation reports them on Linux: those with an address (node's list), the
 * first address of each family (a global one before a link-local one), wired or wireless only when up.
 */
export function interfacesFromLinux(
  addresses: Readonly<Record<string, readonly NetworkInterfaceInfo[] | undefined>>,
  sys: ReadonlyMap<string, SysNetFacts>,
): InterfaceFacts[] {
  return Object.entries(addresses).flatMap(([name, list]) => {
    if (!list?.length) return [];
    const first = (family: 'IPv4' | 'IPv6', linkLocal: RegExp) => {
      const all = list.filter((a) => a.family === family).map((a) => a.address);
      return all.find((a) => !linkLocal.test(a)) ?? all[0] ?? '';
    };
    const mac = list.at(-1)!.mac;
    const facts = sys.get(name) ?? { operstate: '', speed: null, wireless: false };
    const internal = list[0]!.internal || /loopback/i.test(name);
    const type =
      name === 'lo' || name.startsWith('bond')
        ? 'virtual'
        : facts.operstate === 'up'
          ? facts.wireless
            ? 'wireless'
            : 'wired'
          : 'unknown';
    const virtualMac = virtualMacPrefixes.some((p) => mac.toUpperCase().startsWith(p));
    return [
      {
        iface: name,
        ifaceName: name,
        internal,
        virtual: !internal && (virtualMac || /^(veth|vboxnet)/i.test(name)),
        type,
        operstate: facts.operstate,
        speed: facts.speed,
        mac,
        ip4: first('IPv4', /^169\.254\./),
        ip6: first('IPv6', /^fe80:/i),
      },
    ];
  });
}

/** The Wi-Fi link rate from `iw dev <name> link` ("tx bitrate: 866.7 MBit/s …"), in Mbit/s. */
export function parseIwBitrate(text: string): number | null {
  const m = /tx bitrate:\s*([\d.]+)\s*MBit\/s/i.exec(text);
  return m ? Number(m[1]) : null;
}

/** Wi-Fi adapters have no /sys speed; `iw` knows the link rate (absent on some PCs: then null, as before). */
export function wifiBitrate(name: string): Promise<number | null> {
  return new Promise((resolve) => {
    execFile('iw', ['dev', name, 'link'], { timeout: 5_000 }, (error, stdout) =>
      resolve(error ? null : parseIwBitrate(stdout)),
    );
  });
}

/**
 * The IPv4 default gateway from /proc/net/route: the default route (destination and mask 0, flag
 * RTF_GATEWAY) with the lowest metric. Addresses there are hex in host byte order (little-endian on PCs).
 */
export function defaultGatewayFromProcRoute(text: string): string {
  const routes = text
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(
      (f) =>
        f.length >= 8 &&
        f[1] === '00000000' &&
        f[7] === '00000000' &&
        (parseInt(f[3]!, 16) & 0x2) !== 0 &&
        /^[0-9A-F]{8}$/i.test(f[2]!),
    )
    .sort((a, b) => Number(a[6]) - Number(b[6]));
  const hex = routes[0]?.[2];
  if (!hex) return '';
  const bytes = [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return bytes.join('.');
}
