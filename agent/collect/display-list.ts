import { createHash } from 'node:crypto';
import type { Systeminformation } from 'systeminformation';
import type { z } from 'zod';
import type { displaySchema } from '../../shared/schemas/report.ts';
import { judgeDisplay, type DisplayJudgement } from './display-kind.ts';
import { parseEdid } from './edid.ts';

export type Display = z.input<typeof displaySchema>;
/** One connector under /sys/class/drm, e.g. card0-HDMI-A-1, with its status and raw EDID. */
export type DrmConnector = { connector: string; status: string; edid: Uint8Array };

/** One display's raw EDID and, where the OS names it, the connector it hangs on (HDMI-A-1, eDP-1 …). */
export type EdidSource = { edid: Uint8Array; connection?: string };
/** Facts about the PC that judge every display on it, e.g. a direct-touch input device attached. */
export type PcDisplayFacts = { touch?: boolean };

/** Displays from Linux DRM connectors: only connected ones with an EDID. */
export function displaysFromDrm(connectors: readonly DrmConnector[], pc: PcDisplayFacts = {}): Display[] {
  const sources = connectors
    .filter((c) => c.status === 'connected' && c.edid.length > 0)
    .map((c) => ({ edid: c.edid, connection: c.connector.replace(/^card\d+-/, '') }));
  return displaysFromEdids(sources, pc);
}

/**
 * Displays from raw EDID bytes, whichever OS read them (Linux DRM, the Windows registry): one parser and one
 * classifier, so the same panel gets the same answer everywhere.
 */
export function displaysFromEdids(sources: readonly EdidSource[], pc: PcDisplayFacts = {}): Display[] {
  const displays: Display[] = [];
  for (const { edid, connection } of sources) {
    const parsed = parseEdid(edid);
    if (!parsed.ok) {
      // A corrupt EDID (cheap VGA splitters, long cables) still proves a display is attached.
      displays.push({
        ...reported(judgeDisplay({ connection, touch: pc.touch })),
        ...(connection ? { connection } : {}),
        ...touchOf(pc),
      });
      continue;
    }
    const e = parsed.edid;
    const serial = e.serialText ?? (e.serialNumber !== undefined ? String(e.serialNumber) : undefined);
    const judgement = judgeDisplay({
      vendor: e.vendorId,
      model: e.name,
      connection,
      widthCm: e.widthCm,
      heightCm: e.heightCm,
      touch: pc.touch,
      edid: {
        digital: e.digital,
        texts: e.texts,
        hasRangeLimits: e.hasRangeLimits,
        cta: e.cta,
        displayId: e.displayId,
      },
    });
    displays.push({
      ...reported(judgement),
      vendor: e.vendorId,
      ...(e.name ? { model: e.name } : {}),
      ...(serial ? { serial } : {}),
      ...(connection ? { connection } : {}),
      productCode: e.productCode,
      ...(e.manufactureYear && e.manufactureYear >= 1990 ? { manufactureYear: e.manufactureYear } : {}),
      ...(e.widthPx ? { widthPx: e.widthPx } : {}),
      ...(e.heightPx ? { heightPx: e.heightPx } : {}),
      widthCm: e.widthCm,
      heightCm: e.heightCm,
      ...touchOf(pc),
    });
  }
  return displays;
}

/** A kind and, when any signal decided it, the evidence. */
function reported({ kind, evidence }: DisplayJudgement): Pick<Display, 'kind' | 'evidence'> {
  return evidence.length > 0 ? { kind, evidence } : { kind };
}

/** `touch` is reported only when the PC was asked (Linux input devices, Windows PnP), never guessed as false. */
function touchOf(pc: PcDisplayFacts): { touch?: boolean } {
  return pc.touch === undefined ? {} : { touch: pc.touch };
}

/** Displays from systeminformation (Windows WMI, macOS, xrandr), where EDID bytes are not at hand. */
export function displaysFromSystemInfo(
  list: readonly Systeminformation.GraphicsDisplayData[],
  pc: PcDisplayFacts = {},
): Display[] {
  return list.map((d) => {
    const vendor = (d.vendorId || d.vendor || '').trim();
    const model = (d.model || d.deviceName || '').trim();
    const connection = d.connection?.trim() || (d.builtin ? 'internal' : '');
    const serial = d.serial?.trim();
    // WMI's sizeX/sizeY are the EDID size in millimetres where the OS read it.
    const widthCm = d.sizeX ? Math.round(d.sizeX / 10) : undefined;
    const heightCm = d.sizeY ? Math.round(d.sizeY / 10) : undefined;
    return {
      ...reported(judgeDisplay({ vendor, model, connection, builtin: d.builtin, widthCm, heightCm, touch: pc.touch })),
      ...(vendor ? { vendor } : {}),
      ...(model ? { model } : {}),
      ...(serial && serial !== '0' ? { serial } : {}),
      ...(connection ? { connection } : {}),
      ...(d.productionYear && d.productionYear >= 1990 ? { manufactureYear: d.productionYear } : {}),
      ...(d.resolutionX ? { widthPx: d.resolutionX } : {}),
      ...(d.resolutionY ? { heightPx: d.resolutionY } : {}),
      ...(widthCm !== undefined && heightCm !== undefined ? { widthCm, heightCm } : {}),
      ...touchOf(pc),
    };
  });
}

/** A short digest of what is plugged in, so a projector connected at 10:00 triggers a report without waiting for the hour. */
export function displayFingerprint(displays: readonly Display[]): string {
  const keys = displays.map((d) => [d.kind, d.vendor, d.productCode, d.model, d.serial, d.connection].join('|')).sort();
  return createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
}
