import type { DemoDisplay } from '../../server/demo/world.ts';
import { displaysFromEdids, type Display } from '../collect/display-list.ts';
import { buildEdid, type EdidSpec } from './edid-builder.ts';

/*
 * The displays of the demo's classrooms as real EDID bytes, run through the agent's own parser and
 * classifier (displaysFromEdids), so the demo shows what the real classifier makes of them. The set is
 * what Linxia's classrooms have (docs/decisions/015-demo-fleet.md, DOMAIN.md "Classroom displays"):
 * Epson and BenQ projectors that report no fixed size, Seewo and Hitevision panels, classroom panels whose
 * generic scaler calls itself "CVTE TV" or "MStar Demo" with the panel's touch frame on USB, TVs without
 * touch, and a desk monitor where a teacher's PC stands in for the equipment.
 */
type Profile = { edid: EdidSpec; connection: string; touch: boolean } | null;

const profiles: Record<DemoDisplay, Profile> = {
  // VESA E-EDID: 0 × 0 cm means "no fixed size", which projectors report.
  'epson-projector': {
    edid: {
      vendorId: 'SEC',
      productCode: 0x0731,
      year: 2016,
      name: 'EPSON PJ',
      widthCm: 0,
      heightCm: 0,
      widthPx: 1024,
      heightPx: 768,
    },
    connection: 'HDMI-A-1',
    touch: false,
  },
  'benq-projector': {
    edid: {
      vendorId: 'BNQ',
      productCode: 0x7f0a,
      year: 2017,
      name: 'BenQ MS560',
      widthCm: 0,
      heightCm: 0,
      widthPx: 1280,
      heightPx: 800,
    },
    connection: 'HDMI-A-1',
    touch: false,
  },
  'seewo-panel': {
    edid: {
      vendorId: 'CVT',
      productCode: 0x0086,
      year: 2018,
      name: 'seewo F86EB',
      widthCm: 190,
      heightCm: 107,
      widthPx: 3840,
      heightPx: 2160,
    },
    connection: 'HDMI-A-1',
    touch: true,
  },
  'hitevision-panel': {
    edid: {
      vendorId: 'HHT',
      productCode: 0x0075,
      year: 2017,
      name: 'HiteVision',
      widthCm: 166,
      heightCm: 93,
      widthPx: 1920,
      heightPx: 1080,
    },
    connection: 'HDMI-A-1',
    touch: true,
  },
  // The scaler's maker and demo name, the panel's real size: only size and touch say "interactive panel".
  'scaler-panel': {
    edid: {
      vendorId: 'CVT',
      productCode: 0x0001,
      year: 2019,
      name: 'CVTE TV',
      widthCm: 190,
      heightCm: 107,
      widthPx: 3840,
      heightPx: 2160,
      cta: true,
    },
    connection: 'HDMI-A-1',
    touch: true,
  },
  'scaler-panel-mstar': {
    edid: {
      vendorId: 'MST',
      productCode: 0x0030,
      year: 2016,
      name: 'MStar Demo',
      widthCm: 166,
      heightCm: 93,
      widthPx: 1920,
      heightPx: 1080,
      cta: true,
    },
    connection: 'HDMI-A-1',
    touch: true,
  },
  // A 65" TV on the wall, driven by the classroom PC: large, a CTA-861 block, no touch.
  tv: {
    edid: {
      vendorId: 'SAM',
      productCode: 0x0f9c,
      year: 2020,
      name: 'SAMSUNG',
      widthCm: 144,
      heightCm: 81,
      widthPx: 3840,
      heightPx: 2160,
      cta: true,
    },
    connection: 'HDMI-A-1',
    touch: false,
  },
  monitor: {
    edid: { vendorId: 'DEL', productCode: 0xa0c3, year: 2019, name: 'DELL P2419H', widthCm: 53, heightCm: 30 },
    connection: 'DP-1',
    touch: false,
  },
  none: null,
};

/** What the agent reports for a classroom with this display: the real classifier's answer for its EDID. */
export function demoDisplays(profile: DemoDisplay, serialNumber = 0): Display[] {
  const p = profiles[profile];
  if (p === null) return [];
  return displaysFromEdids([{ edid: buildEdid({ ...p.edid, serialNumber }), connection: p.connection }], {
    touch: p.touch,
  });
}
