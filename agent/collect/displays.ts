import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { displaysFromDrm, displaysFromSystemInfo, type Display, type DrmConnector } from './display-list.ts';
import { readWindowsDisplays } from './windows-displays.ts';
import { readTouch } from './touch.ts';

/**
 * Lists attached displays. On Linux the EDID comes straight from /sys/class/drm (cheap, no child
 * process, and complete: xrandr often leaves vendor and serial empty); on Windows from the EDID bytes the registry
 * keeps (decision 090); systeminformation asks the OS only where neither gives anything (macOS, a VM's generic monitor).
 */
export async function collectDisplays(
  drmRoot = '/sys/class/drm',
  env: NodeJS.ProcessEnv = process.env,
  procRoot = '/proc',
): Promise<Display[]> {
  if (process.platform === 'linux') {
    const connectors = await readDrm(drmRoot);
    // A panel's touch frame on the PC turns a large screen into an interactive panel (issue 17).
    const touch = connectors.length > 0 ? await readTouch(procRoot) : undefined;
    if (connectors.length > 0) return displaysFromDrm(connectors, touch === undefined ? {} : { touch }).slice(0, 32);
    // On Linux graphics() finds displays only through `xrandr`, which needs an X display; without one
    // (the service, a VM) it would start lspci, clinfo, xdpyinfo and xrandr each time to learn nothing.
    if (!env.DISPLAY) return [];
  }
  if (process.platform === 'win32') {
    const fromRegistry = await readWindowsDisplays();
    if (fromRegistry.length > 0) return fromRegistry.slice(0, 32);
  }
  try {
    const si = await import('systeminformation'); // loaded when first needed: never on Linux with DRM or headless
    return displaysFromSystemInfo((await si.graphics()).displays).slice(0, 32);
  } catch {
    return [];
  }
}

/** Reads every DRM connector's status and EDID; an empty list when there is no DRM (a VM, a headless box). */
export async function readDrm(root: string): Promise<DrmConnector[]> {
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => /^card\d+-/.test(n));
  } catch {
    return [];
  }
  const connectors: DrmConnector[] = [];
  for (const connector of names.sort()) {
    try {
      const status = (await readFile(join(root, connector, 'status'), 'utf8')).trim();
      const edid =
        status === 'connected' ? new Uint8Array(await readFile(join(root, connector, 'edid'))) : new Uint8Array();
      connectors.push({ connector, status, edid });
    } catch {
      // A connector without status/edid files (writeback, virtual) is not a display.
    }
  }
  return connectors;
}
