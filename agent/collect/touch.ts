import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Linux touch detection from the kernel's input device list (/proc/bus/input/devices). A classroom panel's
 * touch frame is a USB HID device on the OPS PC; the kernel marks a touchscreen INPUT_PROP_DIRECT (the pointer
 * is where the finger is, unlike a touchpad) and gives it multitouch axes ABS_MT_POSITION_X/Y.
 */

export type InputDevice = { name: string; bus: number; properties: bigint; abs: bigint };

/** input-event-codes.h */
const INPUT_PROP_DIRECT = 0x01n;
const ABS_MT_POSITION_X = 0x35n;
const ABS_MT_POSITION_Y = 0x36n;

/** Parses the kernel's bitmap text: hexadecimal words, most significant first, each as wide as a C long (64 bits here). */
export function parseBitmap(text: string): bigint {
  return text
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .reduce((acc, word) => (acc << 64n) | BigInt(`0x${word}`), 0n);
}

/** Parses /proc/bus/input/devices: blank-line separated blocks of `I:`, `N:`, `B: PROP=`, `B: ABS=` lines. */
export function parseInputDevices(text: string): InputDevice[] {
  return text
    .split(/\n\s*\n/)
    .map((block) => {
      const field = (re: RegExp): string | undefined => re.exec(block)?.[1];
      return {
        name: field(/^N: Name="(.*)"$/m) ?? '',
        bus: Number.parseInt(field(/^I: Bus=([0-9a-f]+)/im) ?? '0', 16),
        properties: parseBitmap(field(/^B: PROP=([0-9a-f ]+)$/im) ?? '0'),
        abs: parseBitmap(field(/^B: ABS=([0-9a-f ]+)$/im) ?? '0'),
      };
    })
    .filter((d) => d.name || d.abs);
}

/** A touchscreen: direct input with both multitouch position axes (touchpads and pen tablets lack one or the other). */
export function isDirectTouch(device: InputDevice): boolean {
  const has = (bits: bigint, bit: bigint): boolean => ((bits >> bit) & 1n) === 1n;
  return (
    has(device.properties, INPUT_PROP_DIRECT) &&
    has(device.abs, ABS_MT_POSITION_X) &&
    has(device.abs, ABS_MT_POSITION_Y)
  );
}

/** Whether a direct-touch device is attached; undefined when the list cannot be read (not Linux, no /proc). */
export async function readTouch(procRoot = '/proc'): Promise<boolean | undefined> {
  try {
    return parseInputDevices(await readFile(join(procRoot, 'bus/input/devices'), 'utf8')).some(isDirectTouch);
  } catch {
    return undefined;
  }
}
