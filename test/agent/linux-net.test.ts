import { mkdir, writeFile } from 'node:fs/promises';
import type { NetworkInterfaceInfo } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toReportInterfaces } from '../../agent/collect/interfaces.ts';
import {
  defaultGatewayFromProcRoute,
  interfacesFromLinux,
  parseIwBitrate,
  readSysNet,
} from '../../agent/collect/linux-net.ts';
import { networkInterfaceSchema } from '../../shared/schemas/report.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

/** One interface directory as the kernel lays it out under /sys/class/net. */
async function sysInterface(name: string, files: Record<string, string>, dirs: string[] = []) {
  await mkdir(join(dir, name), { recursive: true });
  for (const [file, text] of Object.entries(files)) await writeFile(join(dir, name, file), `${text}\n`);
  for (const d of dirs) await mkdir(join(dir, name, d));
}

function address(family: 'IPv4' | 'IPv6', addr: string, mac: string, internal = false): NetworkInterfaceInfo {
  return family === 'IPv4'
    ? { family, address: addr, netmask: '255.255.255.0', mac, internal, cidr: null }
    : { family, address: addr, netmask: 'ffff:ffff:ffff:ffff::', mac, internal, cidr: null, scopeid: 0 };
}

describe('network interfaces from /sys/class/net', () => {
  it('reads state, speed and Wi-Fi from the kernel files and maps them like systeminformation did', async () => {
    await sysInterface('lo', { operstate: 'unknown' });
    await sysInterface('enp3s0', { operstate: 'up', speed: '1000' });
    await sysInterface('wlp2s0', { operstate: 'up', speed: '-1' }, ['wireless', 'phy80211']);
    await sysInterface('docker0', { operstate: 'down', speed: '-1' });
    await sysInterface('ens33', { operstate: 'up', speed: '10000' });
    const addresses = {
      lo: [address('IPv4', '127.0.0.1', '00:00:00:00:00:00', true), address('IPv6', '::1', '00:00:00:00:00:00', true)],
      enp3s0: [
        address('IPv4', '10.1.2.3', '00:1A:2B:3C:4D:5E'),
        address('IPv6', 'fe80::21a:2bff:fe3c:4d5e', '00:1A:2B:3C:4D:5E'),
        address('IPv6', '2001:db8::5', '00:1A:2B:3C:4D:5E'),
      ],
      wlp2s0: [
        address('IPv4', '169.254.10.20', 'a4:c3:f0:11:22:33'),
        address('IPv4', '192.168.43.7', 'a4:c3:f0:11:22:33'),
      ],
      docker0: [address('IPv4', '172.17.0.1', '02:42:ac:11:00:02')],
      ens33: [address('IPv4', '192.168.100.4', '00:0c:29:aa:bb:cc')], // a VMware guest's adapter
    };
    const sys = await readSysNet(Object.keys(addresses), dir);
    expect(sys.get('wlp2s0')).toEqual({ operstate: 'up', speed: null, wireless: true });
    expect(sys.get('enp3s0')).toEqual({ operstate: 'up', speed: 1000, wireless: false });

    const report = toReportInterfaces(interfacesFromLinux(addresses, sys));
    expect(report).toEqual([
      {
        name: 'enp3s0',
        type: 'wired',
        up: true,
        speedMbps: 1000,
        mac: '00:1a:2b:3c:4d:5e',
        ipv4: ['10.1.2.3'],
        ipv6: ['2001:db8::5'],
      },
      {
        name: 'wlp2s0',
        type: 'wireless',
        up: true,
        speedMbps: null,
        mac: 'a4:c3:f0:11:22:33',
        ipv4: ['192.168.43.7'],
        ipv6: [],
      },
      {
        name: 'docker0',
        type: 'virtual',
        up: false,
        speedMbps: null,
        mac: '02:42:ac:11:00:02',
        ipv4: ['172.17.0.1'],
        ipv6: [],
      },
      {
        name: 'ens33',
        type: 'virtual',
        up: true,
        speedMbps: 10000,
        mac: '00:0c:29:aa:bb:cc',
        ipv4: ['192.168.100.4'],
        ipv6: [],
      },
    ]);
    for (const i of report) expect(networkInterfaceSchema.safeParse(i).success).toBe(true);
  });

  it('an interface whose files are missing is listed with what node knows, not dropped', async () => {
    const addresses = { eth9: [address('IPv4', '10.0.0.9', '00:1a:2b:3c:4d:5f')] };
    const report = toReportInterfaces(interfacesFromLinux(addresses, await readSysNet(['eth9'], dir)));
    expect(report).toEqual([
      {
        name: 'eth9',
        type: 'unknown',
        up: false,
        speedMbps: null,
        mac: '00:1a:2b:3c:4d:5f',
        ipv4: ['10.0.0.9'],
        ipv6: [],
      },
    ]);
  });

  it('reads the Wi-Fi link rate from `iw dev … link`', () => {
    expect(
      parseIwBitrate(
        'Connected to 11:22:33:44:55:66 (on wlp2s0)\n\tSSID: school\n\ttx bitrate: 866.7 MBit/s VHT-MCS 9 80MHz short GI VHT-NSS 2\n',
      ),
    ).toBe(866.7);
    expect(parseIwBitrate('Not connected.\n')).toBeNull();
  });
});

describe('default gateway from /proc/net/route', () => {
  const header = 'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n';

  it('takes the default route with the lowest metric, bytes in host (little-endian) order', () => {
    const table =
      header +
      'wlp2s0\t00000000\t012BA8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n' +
      'enp3s0\t00000000\t0101010A\t0003\t0\t0\t100\t00000000\t0\t0\t0\n' +
      'enp3s0\t0001010A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n';
    expect(defaultGatewayFromProcRoute(table)).toBe('10.1.1.1');
  });

  it('is empty without a default route (a PC not on any network)', () => {
    expect(
      defaultGatewayFromProcRoute(`${header}enp3s0\t0001010A\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0\n`),
    ).toBe('');
    expect(defaultGatewayFromProcRoute('')).toBe('');
  });
});
