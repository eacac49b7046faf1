import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isDirectTouch, parseInputDevices, readTouch } from '../../agent/collect/touch.ts';
import { CHROMEBOOK, USB_TOUCH_FRAME } from './input-devices-fixture.ts';
import { tempDir } from './report-fixture.ts';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

describe('touch input devices', () => {
  it('finds a USB touch frame and ignores its mouse-emulation interface', () => {
    const devices = parseInputDevices(USB_TOUCH_FRAME);
    expect(devices.map((d) => [d.name, d.bus, isDirectTouch(d)])).toEqual([
      ['ILITEK ILITEK-TP Mouse', 3, false],
      ['ILITEK ILITEK-TP', 3, true],
    ]);
  });

  it('tells a touchscreen from a touchpad and a keyboard', () => {
    expect(parseInputDevices(CHROMEBOOK).map((d) => [d.name, isDirectTouch(d)])).toEqual([
      ['AT Translated Set 2 keyboard', false],
      ['Elan Touchpad', false],
      ['Elan Touchscreen', true],
    ]);
  });

  it('reads the list under an injectable root, and says nothing when there is none', async () => {
    await mkdir(join(dir, 'bus/input'), { recursive: true });
    await writeFile(join(dir, 'bus/input/devices'), USB_TOUCH_FRAME.split('\n\n')[0] ?? '');
    expect(await readTouch(dir)).toBe(false);
    await writeFile(join(dir, 'bus/input/devices'), USB_TOUCH_FRAME);
    expect(await readTouch(dir)).toBe(true);
    expect(await readTouch(join(dir, 'absent'))).toBeUndefined();
  });
});
