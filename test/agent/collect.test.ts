import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Systeminformation } from 'systeminformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectDisplays, readDrm } from '../../agent/collect/displays.ts';
import { displayFingerprint, displaysFromDrm, displaysFromSystemInfo } from '../../agent/collect/display-list.ts';
import { cleanHardwareId } from '../../agent/collect/device.ts';
import { isDirectTouch, parseInputDevices } from '../../agent/collect/touch.ts';
import { toReportInterfaces } from '../../agent/collect/interfaces.ts';
import { probe, summariseInternet } from '../../agent/collect/reachability.ts';
import { createDispatcher } from '../../agent/http.ts';
import { displaySchema, networkInterfaceSchema } from '../../shared/schemas/report.ts';
import { buildEdid } from '../../agent/demo/edid-builder.ts';
import { CHROMEBOOK, USB_TOUCH_FRAME } from './input-devices-fixture.ts';
import { startScriptedServer } from './http-fixture.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

async function connector(name: string, status: string, edid?: Uint8Array) {
  await mkdir(join(dir, name), { recursive: true });
  await writeFile(join(dir, name, 'status'), `${status}\n`);
  await writeFile(join(dir, name, 'edid'), edid ?? new Uint8Array());
}

describe('displays from /sys/class/drm', () => {
  it('reads connected connectors with EDID: laptop panel + projector, skips disconnected', async () => {
    await connector(
      'card0-eDP-1',
      'connected',
      buildEdid({ vendorId: 'BOE', productCode: 0x0747, widthCm: 31, heightCm: 17 }),
    );
    await connector(
      'card0-HDMI-A-1',
      'connected',
      buildEdid({ vendorId: 'SEC', productCode: 0x0731, name: 'EPSON PJ', serialText: 'X4RK6500123', year: 2016 }),
    );
    await connector('card0-DP-1', 'disconnected');
    await mkdir(join(dir, 'renderD128'));
    const displays = displaysFromDrm(await readDrm(dir));
    expect(displays).toEqual([
      expect.objectContaining({
        kind: 'projector',
        vendor: 'SEC',
        model: 'EPSON PJ',
        serial: 'X4RK6500123',
        connection: 'HDMI-A-1',
        productCode: 0x0731,
        manufactureYear: 2016,
      }),
      expect.objectContaining({ kind: 'builtin', vendor: 'BOE', connection: 'eDP-1' }),
    ]);
    for (const d of displays) expect(displaySchema.safeParse(d).success).toBe(true);
  });

  it('still counts a display whose EDID is corrupt, without vendor details', async () => {
    const bad = buildEdid({ vendorId: 'SEC', productCode: 1 });
    bad[20] = (bad[20] ?? 0) ^ 0xff;
    await connector('card0-VGA-1', 'connected', bad);
    expect(displaysFromDrm(await readDrm(dir))).toEqual([{ kind: 'unknown', connection: 'VGA-1' }]);
  });

  it.runIf(process.platform === 'linux')(
    'turns a large generic-scaler screen into an interactive panel when a touch frame is on the PC',
    async () => {
      const drm = join(dir, 'drm');
      const proc = join(dir, 'proc');
      await mkdir(join(proc, 'bus/input'), { recursive: true });
      await writeFile(join(proc, 'bus/input/devices'), USB_TOUCH_FRAME);
      await mkdir(drm);
      const panel = buildEdid({
        vendorId: 'CVT',
        productCode: 1,
        name: 'CVTE TV',
        widthCm: 190,
        heightCm: 107,
        widthPx: 3840,
        heightPx: 2160,
      });
      await mkdir(join(drm, 'card0-HDMI-A-1'));
      await writeFile(join(drm, 'card0-HDMI-A-1', 'status'), 'connected\n');
      await writeFile(join(drm, 'card0-HDMI-A-1', 'edid'), panel);
      expect(await collectDisplays(drm, {}, proc)).toEqual([
        expect.objectContaining({
          kind: 'interactive-panel',
          evidence: ['size', 'touch'],
          touch: true,
          widthCm: 190,
          heightCm: 107,
        }),
      ]);
      await writeFile(join(proc, 'bus/input/devices'), USB_TOUCH_FRAME.split('\n\n')[0] ?? '');
      expect(await collectDisplays(drm, {}, proc)).toEqual([
        expect.objectContaining({ kind: 'large-display', evidence: ['size'], touch: false }),
      ]);
    },
  );

  it("keeps a laptop's own touchscreen builtin and a desk monitor beside it a monitor", async () => {
    await connector(
      'card0-eDP-1',
      'connected',
      buildEdid({ vendorId: 'BOE', productCode: 0x0747, widthCm: 31, heightCm: 17 }),
    );
    await connector(
      'card0-DP-1',
      'connected',
      buildEdid({ vendorId: 'DEL', productCode: 0xa0c4, name: 'DELL P2419H', widthCm: 53, heightCm: 30 }),
    );
    const touch = parseInputDevices(CHROMEBOOK).some(isDirectTouch);
    expect(touch).toBe(true);
    expect(displaysFromDrm(await readDrm(dir), { touch }).map((d) => [d.kind, d.touch])).toEqual([
      ['monitor', true],
      ['builtin', true],
    ]);
  });

  it('is empty where there is no DRM at all', async () => {
    expect(await readDrm(join(dir, 'absent'))).toEqual([]);
  });

  it.runIf(process.platform === 'linux')(
    'lists none without DRM connectors or an X display, instead of starting xrandr and friends to learn nothing',
    async () => {
      expect(await collectDisplays(join(dir, 'absent'), {})).toEqual([]);
    },
  );

  it('fingerprint changes when a projector is plugged in, not when the order changes', () => {
    const monitor = { kind: 'monitor' as const, vendor: 'DEL', productCode: 1, connection: 'DP-1' };
    const projector = { kind: 'projector' as const, vendor: 'SEC', productCode: 2, connection: 'HDMI-A-1' };
    expect(displayFingerprint([monitor, projector])).toBe(displayFingerprint([projector, monitor]));
    expect(displayFingerprint([monitor])).not.toBe(displayFingerprint([monitor, projector]));
  });
});

describe('displays from systeminformation (Windows)', () => {
  it('classifies by the names WMI gives', () => {
    const base = {
      main: false,
      builtin: false,
      positionX: 0,
      positionY: 0,
      vendorId: null,
      serial: null,
      deviceName: null,
      displayId: null,
      productionYear: null,
      sizeX: null,
      sizeY: null,
      pixelDepth: null,
      resolutionX: null,
      resolutionY: null,
      currentResX: null,
      currentResY: null,
      currentRefreshRate: null,
    } as const;
    const list: Systeminformation.GraphicsDisplayData[] = [
      { ...base, vendor: 'Seewo', model: 'seewo', connection: 'HDMI', resolutionX: 3840, resolutionY: 2160 },
      { ...base, vendor: '', model: '', connection: 'INTERNAL', builtin: true },
    ];
    expect(displaysFromSystemInfo(list)).toEqual([
      {
        kind: 'interactive-panel',
        evidence: ['maker'],
        vendor: 'Seewo',
        model: 'seewo',
        connection: 'HDMI',
        widthPx: 3840,
        heightPx: 2160,
      },
      { kind: 'builtin', evidence: ['connector'], connection: 'INTERNAL' },
    ]);
  });
});

describe('network interfaces', () => {
  it('maps systeminformation data, drops loopback, marks virtual adapters', () => {
    const base = {
      ip4subnet: '',
      ip6subnet: '',
      default: false,
      duplex: 'full',
      mtu: 1500,
      dhcp: true,
      dnsSuffix: '',
      ieee8021xAuth: '',
      ieee8021xState: '',
      carrierChanges: 0,
      virtual: false,
    };
    const list = [
      {
        ...base,
        iface: 'lo',
        ifaceName: 'lo',
        ip4: '127.0.0.1',
        ip6: '::1',
        mac: '00:00:00:00:00:00',
        internal: true,
        operstate: 'unknown',
        type: 'virtual',
        speed: null,
      },
      {
        ...base,
        iface: 'eth0',
        ifaceName: 'eth0',
        ip4: '10.1.2.3',
        ip6: '',
        mac: '00:1A:2B:3C:4D:5E',
        internal: false,
        operstate: 'up',
        type: 'wired',
        speed: 1000,
      },
      {
        ...base,
        iface: 'docker0',
        ifaceName: 'docker0',
        ip4: '172.17.0.1',
        ip6: '',
        mac: '02:42:ac:11:00:02',
        internal: false,
        operstate: 'down',
        type: 'wired',
        speed: null,
      },
    ] as Systeminformation.NetworkInterfacesData[];
    const mapped = toReportInterfaces(list);
    expect(mapped).toEqual([
      {
        name: 'eth0',
        type: 'wired',
        up: true,
        speedMbps: 1000,
        mac: '00:1a:2b:3c:4d:5e',
        ipv4: ['10.1.2.3'],
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
    ]);
    for (const i of mapped) expect(networkInterfaceSchema.safeParse(i).success).toBe(true);
  });
});

describe('hardware ids', () => {
  it('drops placeholder serials and UUIDs that board makers ship by the thousand', () => {
    expect(
      cleanHardwareId({ uuid: '03000200-0400-0500-0006-000700080009', serial: 'To be filled by O.E.M.', macs: [] }),
    ).toEqual({});
    expect(
      cleanHardwareId({
        uuid: '00000000-0000-0000-0000-000000000000',
        serial: 'Default string',
        macs: ['00:1a:2b:3c:4d:5e'],
      }),
    ).toEqual({ macs: ['00:1a:2b:3c:4d:5e'] });
    expect(cleanHardwareId({ uuid: '4C4C4544-0042-3510-8052-B4C04F4B3732', serial: 'PF2ABCDE', macs: [] })).toEqual({
      uuid: '4c4c4544-0042-3510-8052-b4c04f4b3732',
      serial: 'PF2ABCDE',
    });
  });
});

describe('reachability probes on 127.0.0.1', () => {
  it('measures an HTTP target, treats a block page as unreachable, and times a TCP connect', async () => {
    const server = await startScriptedServer((req) =>
      req.url === '/blocked' ? { status: 403, body: '<html>blocked</html>' } : { status: 200, body: { ok: true } },
    );
    const tcp = createServer((s) => s.end());
    await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
    const port = (tcp.address() as { port: number }).port;
    const dispatcher = createDispatcher({});
    try {
      const up = await probe(`${server.url}/`, dispatcher);
      expect(up).toMatchObject({ reachable: true });
      expect(up.latencyMs).toBeGreaterThan(0);
      expect(await probe(`${server.url}/blocked`, dispatcher)).toMatchObject({ reachable: false, error: 'HTTP 403' });
      expect(await probe(`127.0.0.1:${port}`, dispatcher)).toMatchObject({ reachable: true });
      await server.close();
      const down = await probe(`${server.url}/`, dispatcher);
      expect(down).toMatchObject({ reachable: false, latencyMs: null, error: expect.stringContaining('ECONNREFUSED') });
      expect(summariseInternet([down, up])).toEqual({ reachable: true, latencyMs: up.latencyMs });
      expect(summariseInternet([down])).toEqual({ reachable: false, latencyMs: null });
    } finally {
      tcp.close();
      await dispatcher.close();
    }
  });
});
