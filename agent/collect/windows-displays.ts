import { displaysFromEdids, type Display, type EdidSource } from './display-list.ts';
import { parseRegQuery, regBinary, regMultiString, runRegQuery, type RegKey, type RegQuery } from './reg-query.ts';

const controlSet = 'HKLM\\SYSTEM\\CurrentControlSet';

/**
 * The three `reg query` calls behind Windows display facts (decision 090). Windows keeps every monitor ever
 * attached under Enum\DISPLAY; the ones attached now are the device instances the monitor driver serves,
 * listed in the volatile Services\monitor\Enum.
 */
export const windowsRegistryQueries = {
  presentMonitors: [`${controlSet}\\Services\\monitor\\Enum`],
  monitorEdids: [`${controlSet}\\Enum\\DISPLAY`, '/s', '/v', 'EDID'],
  hidCompatibleIds: [`${controlSet}\\Enum\\HID`, '/s', '/v', 'CompatibleIDs'],
} as const;

/** HID usage page 0x0D (digitizer), usage 0x04 (touch screen): the compatible id Windows gives every HID touch screen. */
const touchScreenUsage = 'HID_DEVICE_UP:000D_U:0004';

/** Instance ids (DISPLAY\DELD028\5&27bbed36&0&UID16777489) of the monitors attached now, upper-cased. */
export function presentMonitorIds(monitorEnum: readonly RegKey[]): Set<string> {
  const values = monitorEnum[0]?.values ?? [];
  return new Set(
    values.filter((v) => /^\d+$/.test(v.name) && v.type === 'REG_SZ').map((v) => v.data.trim().toUpperCase()),
  );
}

/** The EDID bytes of the monitors attached now, from `reg query …\Enum\DISPLAY /s /v EDID`. */
export function presentMonitorEdids(edidKeys: readonly RegKey[], present: ReadonlySet<string>): EdidSource[] {
  const sources: EdidSource[] = [];
  for (const key of edidKeys) {
    const instance = /\\Enum\\(DISPLAY\\[^\\]+\\[^\\]+)\\Device Parameters$/i.exec(key.path)?.[1];
    if (!instance || !present.has(instance.toUpperCase())) continue;
    const value = key.values.find((v) => v.name.toUpperCase() === 'EDID' && v.type === 'REG_BINARY');
    const edid = value ? regBinary(value.data) : undefined;
    // An empty EDID (a VM's "Generic Non-PnP Monitor") says nothing, as an empty DRM edid file says nothing on Linux.
    if (edid && edid.length > 0) sources.push({ edid });
  }
  return sources;
}

/** Registry paths of HID collections that declare the touch-screen usage, attached or not. */
export function touchScreenKeys(hidKeys: readonly RegKey[]): string[] {
  const isTouchScreen = (v: RegKey['values'][number]) =>
    v.name.toUpperCase() === 'COMPATIBLEIDS' &&
    regMultiString(v.data).some((id) => id.toUpperCase() === touchScreenUsage);
  return hidKeys.filter((key) => key.values.some(isTouchScreen)).map((key) => key.path);
}

/**
 * Whether a touch screen is attached now: a HID touch-screen collection whose instance key has the volatile
 * Control subkey, which the PnP manager keeps only for a device it has started since boot (decision 090).
 */
export async function readWindowsTouch(reg: RegQuery = runRegQuery): Promise<boolean> {
  const candidates = touchScreenKeys(parseRegQuery((await reg(windowsRegistryQueries.hidCompatibleIds)) ?? ''));
  for (const path of candidates) {
    if ((await reg([`${path}\\Control`])) !== undefined) return true;
  }
  return false;
}

/**
 * Displays attached to a Windows PC, from the EDID bytes Windows keeps in the registry, through the same parser
 * and classifier as Linux DRM. Empty when the registry names no attached monitor with an EDID (a VM, an old driver).
 */
export async function readWindowsDisplays(reg: RegQuery = runRegQuery): Promise<Display[]> {
  const { presentMonitors, monitorEdids } = windowsRegistryQueries;
  const [monitorEnum, edids] = await Promise.all([reg(presentMonitors), reg(monitorEdids)]);
  const present = presentMonitorIds(parseRegQuery(monitorEnum ?? ''));
  const sources = present.size > 0 ? presentMonitorEdids(parseRegQuery(edids ?? ''), present) : [];
  if (sources.length === 0) return [];
  return displaysFromEdids(sources, { touch: await readWindowsTouch(reg) });
}
