import type { Systeminformation } from 'systeminformation';
import type { z } from 'zod';
import type { networkInterfaceSchema } from '../../shared/schemas/report.ts';

export type NetworkInterface = z.input<typeof networkInterfaceSchema>;
/** The part of systeminformation's interface data a report uses (agent/collect/linux-net.ts reads the same on Linux). */
export type InterfaceFacts = Pick<
  Systeminformation.NetworkInterfacesData,
  'iface' | 'ifaceName' | 'internal' | 'virtual' | 'type' | 'operstate' | 'speed' | 'mac' | 'ip4' | 'ip6'
>;

/** Virtual adapters whose names give them away even when the OS does not flag them (VPNs, VMs, containers). */
const virtualNames =
  /^(docker|veth|br-|virbr|vmnet|vboxnet|tun|tap|wg|zt|lo)|virtual|vmware|hyper-v|loopback|tap-windows|vpn/i;

/** Maps systeminformation's interface list to report interfaces, leaving out loopback. */
export function toReportInterfaces(list: readonly InterfaceFacts[]): NetworkInterface[] {
  return list
    .filter((i) => !i.internal)
    .slice(0, 64)
    .map((i) => {
      const isVirtual = i.virtual || virtualNames.test(i.iface) || virtualNames.test(i.ifaceName ?? '');
      const mac = cleanMac(i.mac);
      return {
        name: (i.ifaceName || i.iface).slice(0, 64),
        type: isVirtual ? 'virtual' : i.type === 'wireless' ? 'wireless' : i.type === 'wired' ? 'wired' : 'unknown',
        up: i.operstate === 'up',
        speedMbps: typeof i.speed === 'number' && i.speed >= 0 ? i.speed : null,
        ...(mac ? { mac } : {}),
        ipv4: i.ip4 ? [i.ip4] : [],
        ipv6: i.ip6 ? [i.ip6] : [],
      };
    });
}

/** MACs of physical interfaces, used as one of the hardware ids at enrollment. */
export function physicalMacs(list: readonly InterfaceFacts[]): string[] {
  return toReportInterfaces(list)
    .flatMap((i) => (i.type !== 'virtual' && i.mac ? [i.mac] : []))
    .slice(0, 32);
}

function cleanMac(mac: string | undefined): string | undefined {
  const m = mac?.trim().toLowerCase().replaceAll('-', ':');
  if (!m || !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m) || m === '00:00:00:00:00:00') return undefined;
  return m;
}
