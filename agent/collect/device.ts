import { hostname, uptime } from 'node:os';
import type { Systeminformation } from 'systeminformation';
import type { z } from 'zod';
import type { deviceInfoSchema } from '../../shared/schemas/report.ts';
import type { HardwareId } from '../../shared/schemas/enroll.ts';
import { physicalMacs } from './interfaces.ts';
import { readLinuxRelease } from './linux-os.ts';

export type DeviceInfo = z.input<typeof deviceInfoSchema>;

/**
 * The OS name and release, asked once per process (an OS upgrade ends with a reboot, which restarts
 * the agent). On Linux read from the release files (linux-os.ts); elsewhere systeminformation, loaded
 * only then, starts the processes that know.
 */
let osInfo: Promise<OsFacts | null> | undefined;
type OsFacts = Pick<Systeminformation.OsData, 'platform' | 'distro' | 'release' | 'arch'>;

function readOsInfo(): Promise<OsFacts | null> {
  if (process.platform === 'linux')
    return readLinuxRelease().then((r) => ({ platform: 'linux', arch: process.arch, ...r }));
  return import('systeminformation').then((si) => si.osInfo()).catch(() => null);
}

/** OS, hostname and uptime: what tells PCs apart and shows reboots. Nothing about users or files. */
export async function collectDevice(): Promise<DeviceInfo> {
  const os = await (osInfo ??= readOsInfo());
  return {
    hostname: hostname().slice(0, 253),
    os: {
      platform: (os?.platform || process.platform).slice(0, 32),
      ...(os?.distro ? { distro: os.distro.slice(0, 128) } : {}),
      ...(os?.release ? { release: os.release.slice(0, 64) } : {}),
      arch: (os?.arch || process.arch).slice(0, 32),
    },
    uptimeSeconds: Math.floor(uptime()),
  };
}

/** Hardware ids sent once at enrollment so a reimaged PC gets its old device back. */
export async function collectHardwareId(): Promise<HardwareId> {
  const si = await import('systeminformation'); // once, at enrollment: never loaded by the Linux service
  const [system, interfaces] = await Promise.all([
    si.system().catch(() => null),
    si.networkInterfaces().catch(() => []),
  ]);
  return cleanHardwareId({
    uuid: system?.uuid,
    serial: system?.serial,
    macs: physicalMacs(Array.isArray(interfaces) ? interfaces : [interfaces]),
  });
}

/**
 * Drops the placeholder ids that board makers ship by the thousand ("To be filled by O.E.M.",
 * 03000200-0400-0500-0006-000700080009): sent as-is they make unrelated PCs look like one
 * (the duplicate-hardware-id problem other school agents have).
 */
export function cleanHardwareId(raw: {
  uuid?: string | undefined;
  serial?: string | undefined;
  macs: string[];
}): HardwareId {
  const uuid = raw.uuid?.trim().toLowerCase();
  const serial = raw.serial?.trim();
  const junkUuid =
    !uuid ||
    /^[0-]+$/.test(uuid) ||
    /^[f-]+$/.test(uuid) ||
    uuid === '03000200-0400-0500-0006-000700080009' ||
    uuid.length > 128;
  const junkSerial =
    !serial ||
    serial.length < 4 ||
    serial.length > 128 ||
    /o\.?e\.?m|default string|system serial number|serial number|not (applicable|specified)|none|^0+$|^1234567|^x+$|^\.+$/i.test(
      serial,
    );
  return {
    ...(junkUuid ? {} : { uuid }),
    ...(junkSerial ? {} : { serial }),
    ...(raw.macs.length ? { macs: raw.macs } : {}),
  };
}
