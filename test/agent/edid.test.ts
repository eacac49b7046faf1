import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseEdid } from '../../agent/collect/edid.ts';
import { parseDisplayIdBlock } from '../../agent/collect/edid-extensions.ts';
import { classifyDisplay, judgeDisplay } from '../../agent/collect/display-kind.ts';
import { buildEdid } from '../../agent/demo/edid-builder.ts';

function parsed(bytes: Uint8Array) {
  const result = parseEdid(bytes);
  if (!result.ok) throw new Error(result.reason);
  return result.edid;
}

describe('EDID parser', () => {
  it('reads an Epson projector: PNP id, product, serials, name, week/year, undefined size', () => {
    const edid = parsed(
      buildEdid({
        vendorId: 'SEC',
        productCode: 0x0731,
        serialNumber: 0x01020304,
        week: 12,
        year: 2016,
        name: 'EPSON PJ',
        serialText: 'X4RK6500123',
        widthCm: 0,
        heightCm: 0,
        widthPx: 1280,
        heightPx: 800,
      }),
    );
    expect(edid).toMatchObject({
      vendorId: 'SEC',
      productCode: 0x0731,
      serialNumber: 0x01020304,
      serialText: 'X4RK6500123',
      name: 'EPSON PJ',
      manufactureWeek: 12,
      manufactureYear: 2016,
      isModelYear: false,
      widthCm: 0,
      heightCm: 0,
      widthPx: 1280,
      heightPx: 800,
      version: '1.4',
      digital: true,
    });
    expect(
      classifyDisplay({ vendor: edid.vendorId, model: edid.name, connection: 'HDMI-A-1', widthCm: 0, heightCm: 0 }),
    ).toBe('projector');
  });

  it('reads a Hitevision (鸿合) interactive panel and classifies it by PNP id', () => {
    const edid = parsed(
      buildEdid({
        vendorId: 'HHT',
        productCode: 0x8650,
        year: 2019,
        name: 'HiteVision',
        widthCm: 190,
        heightCm: 107,
        widthPx: 3840,
        heightPx: 2160,
      }),
    );
    expect(edid.widthPx).toBe(3840);
    expect(edid.heightPx).toBe(2160);
    expect(classifyDisplay({ vendor: edid.vendorId, model: edid.name, connection: 'HDMI-A-1' })).toBe(
      'interactive-panel',
    );
  });

  it('classifies a Seewo panel whose scaler reports a foreign PNP id by its name', () => {
    const edid = parsed(buildEdid({ vendorId: 'MST', productCode: 0x0030, name: 'seewo', widthCm: 160, heightCm: 90 }));
    expect(classifyDisplay({ vendor: edid.vendorId, model: edid.name })).toBe('interactive-panel');
  });

  it('reads a plain Dell monitor and keeps it a monitor', () => {
    const edid = parsed(
      buildEdid({
        vendorId: 'DEL',
        productCode: 0xa0c4,
        serialNumber: 0x4c4c5a33,
        week: 40,
        year: 2018,
        name: 'DELL P2419H',
        widthCm: 53,
        heightCm: 30,
      }),
    );
    expect(edid.name).toBe('DELL P2419H');
    expect(edid.serialNumber).toBe(0x4c4c5a33);
    expect(
      classifyDisplay({ vendor: edid.vendorId, model: edid.name, connection: 'DP-1', widthCm: 53, heightCm: 30 }),
    ).toBe('monitor');
  });

  it('tells a BenQ projector from a BenQ monitor by model series and by undefined size', () => {
    expect(classifyDisplay({ vendor: 'BNQ', model: 'BenQ MX550', widthCm: 0, heightCm: 0 })).toBe('projector');
    expect(classifyDisplay({ vendor: 'BNQ', model: 'BenQ GW2480', widthCm: 53, heightCm: 30 })).toBe('monitor');
    expect(classifyDisplay({ vendor: 'BNQ', model: 'BenQ PJ', widthCm: 53, heightCm: 30 })).toBe('projector');
    expect(classifyDisplay({ vendor: 'BNQ', model: 'BenQ', widthCm: 0, heightCm: 0 })).toBe('projector');
  });

  it('marks a laptop panel on eDP/LVDS/DSI as builtin, whoever made it', () => {
    const edid = parsed(
      buildEdid({ vendorId: 'BOE', productCode: 0x0747, widthCm: 31, heightCm: 17, name: 'NV140FHM-N49' }),
    );
    expect(edid.vendorId).toBe('BOE');
    for (const connection of ['eDP-1', 'LVDS-1', 'DSI-1']) {
      expect(classifyDisplay({ vendor: edid.vendorId, model: edid.name, connection })).toBe('builtin');
    }
  });

  it('drops placeholder serial numbers that many panels share', () => {
    expect(
      parsed(buildEdid({ vendorId: 'HHT', productCode: 1, serialNumber: 0x01010101 })).serialNumber,
    ).toBeUndefined();
    expect(parsed(buildEdid({ vendorId: 'HHT', productCode: 1, serialNumber: 0 })).serialNumber).toBeUndefined();
  });

  it('marks week 0xFF as a model year', () => {
    const edid = parsed(buildEdid({ vendorId: 'SEC', productCode: 1, week: 0xff, year: 2020 }));
    expect(edid.isModelYear).toBe(true);
    expect(edid.manufactureWeek).toBeUndefined();
    expect(edid.manufactureYear).toBe(2020);
  });

  it('refuses a corrupt block: bad checksum, bad header, truncated', () => {
    const bytes = buildEdid({ vendorId: 'SEC', productCode: 0x0731, name: 'EPSON PJ' });
    const flipped = bytes.slice();
    flipped[80] = (flipped[80] ?? 0) ^ 0x01;
    expect(parseEdid(flipped)).toMatchObject({ ok: false, reason: expect.stringContaining('checksum') });
    const badHeader = bytes.slice();
    badHeader[0] = 0x01;
    badHeader[127] = ((badHeader[127] ?? 0) + 255) & 0xff; // keep the sum right so only the header is wrong
    expect(parseEdid(badHeader)).toMatchObject({ ok: false, reason: expect.stringContaining('header') });
    expect(parseEdid(bytes.subarray(0, 100))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('100 bytes'),
    });
  });

  it('round-trips any vendor id and product code, and rejects any single-byte corruption', () => {
    const letters = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ');
    fc.assert(
      fc.property(
        fc.tuple(letters, letters, letters),
        fc.integer({ min: 0, max: 0xffff }),
        fc.integer({ min: 8, max: 126 }),
        fc.integer({ min: 1, max: 255 }),
        (id, product, at, xor) => {
          const bytes = buildEdid({ vendorId: id.join(''), productCode: product });
          const edid = parsed(bytes);
          expect(edid.vendorId).toBe(id.join(''));
          expect(edid.productCode).toBe(product);
          const corrupt = bytes.slice();
          corrupt[at] = (corrupt[at] ?? 0) ^ xor;
          expect(parseEdid(corrupt).ok).toBe(false);
        },
      ),
    );
  });
});

describe('display classifier without EDID (Windows names)', () => {
  it('uses the names Windows reports', () => {
    expect(classifyDisplay({ vendor: 'Generic PnP Monitor', model: 'Generic PnP projector' })).toBe('projector');
    expect(classifyDisplay({ vendor: 'Optoma', model: 'Optoma Creative Touch 5651RK' })).toBe('interactive-panel');
    expect(classifyDisplay({ vendor: 'ViewSonic', model: 'ViewSonic PJD5155' })).toBe('projector');
    expect(classifyDisplay({ vendor: 'ViewSonic', model: 'ViewSonic IFP6550' })).toBe('interactive-panel');
    expect(classifyDisplay({ vendor: 'ViewSonic', model: 'ViewSonic VA2419' })).toBe('monitor');
    expect(classifyDisplay({ model: 'Promethean ActivPanel' })).toBe('interactive-panel');
    expect(classifyDisplay({ builtin: true, vendor: 'LGD' })).toBe('builtin');
    expect(classifyDisplay({})).toBe('unknown');
  });
});

describe('classifier signals beyond names (issue 17)', () => {
  const corpusLine = (source: string): Uint8Array => {
    const line = readFileSync(new URL('./edid-corpus/linuxhw.tsv', import.meta.url), 'utf8')
      .split('\n')
      .find((l) => l.includes(`\t${source}\t`));
    if (!line) throw new Error(`${source} is not in the corpus`);
    return Uint8Array.from(Buffer.from(line.split('\t')[4] ?? '', 'hex'));
  };

  it('reads a TV CTA-861 block: video codes, compressed audio, HDMI vendor block (a real Toshiba TV EDID)', () => {
    const edid = parsed(corpusLine('Digital/Toshiba/TSB010E/D2E808EF05D8'));
    expect(edid.cta).toMatchObject({ revision: 3, compressedAudio: true, hdmiVsdb: true, basicAudio: true });
    expect(edid.cta?.videoCodes).toContain(16); // 1080p60
    expect(
      classifyDisplay({
        vendor: edid.vendorId,
        model: edid.name,
        widthCm: edid.widthCm,
        heightCm: edid.heightCm,
        edid,
      }),
    ).toBe('large-display');
  });

  it('reads a DisplayID extension: a 43-inch desk monitor that declares itself a standalone display stays a monitor', () => {
    const edid = parsed(corpusLine('Digital/GIGABYTE/GBT4300/57DB3F0FD711'));
    expect(edid.displayId).toEqual({ version: '1.2', productType: 3 });
    expect(edid.cta?.hdmiForum).toBe(true);
    expect(
      classifyDisplay({
        vendor: edid.vendorId,
        model: edid.name,
        widthCm: edid.widthCm,
        heightCm: edid.heightCm,
        edid,
      }),
    ).toBe('monitor');
    // DisplayID 1.3 product type 4 is a television receiver.
    const block = new Uint8Array(128);
    block.set([0x70, 0x13, 0x79, 0x04], 0);
    expect(
      judgeDisplay({
        vendor: 'ZZZ',
        model: 'X1',
        widthCm: 60,
        heightCm: 34,
        edid: { digital: true, texts: [], hasRangeLimits: true, displayId: parseDisplayIdBlock(block) },
      }),
    ).toEqual({ kind: 'large-display', evidence: ['displayid'] });
  });

  it('judges a model name it never saw by size and touch', () => {
    expect(judgeDisplay({ vendor: 'ZZZ', model: 'Q86-NEWMODEL', widthCm: 190, heightCm: 107, touch: true })).toEqual({
      kind: 'interactive-panel',
      evidence: ['size', 'touch'],
    });
    expect(judgeDisplay({ vendor: 'ZZZ', model: 'Q86-NEWMODEL', widthCm: 190, heightCm: 107 })).toEqual({
      kind: 'large-display',
      evidence: ['size'],
    });
    expect(classifyDisplay({ vendor: 'ZZZ', model: 'Q24-NEWMODEL', widthCm: 53, heightCm: 30, touch: true })).toBe(
      'monitor',
    );
    // A laptop's own touchscreen on eDP stays builtin.
    expect(classifyDisplay({ vendor: 'BOE', connection: 'eDP-1', widthCm: 31, heightCm: 17, touch: true })).toBe(
      'builtin',
    );
  });

  it('settles shared PNP ids: SEC laptop panels are not Epson projectors, CAS Casper monitors are not Casio projectors', () => {
    const samsungPanel = parsed(corpusLine('Digital/Samsung/SEC3245/1AA973A3E44A'));
    expect(
      classifyDisplay({
        vendor: 'SEC',
        widthCm: samsungPanel.widthCm,
        heightCm: samsungPanel.heightCm,
        edid: samsungPanel,
      }),
    ).toBe('builtin');
    expect(classifyDisplay({ vendor: 'SEC', model: 'EPSON PJ', widthCm: 160, heightCm: 90 })).toBe('projector');
    expect(judgeDisplay({ vendor: 'SEC', widthCm: 160, heightCm: 90 })).toEqual({
      kind: 'projector',
      evidence: ['maker'],
    });
    expect(classifyDisplay({ vendor: 'CAS', model: 'Casper', widthCm: 51, heightCm: 29 })).toBe('monitor');
    expect(classifyDisplay({ vendor: 'CAS', model: 'CASIO-PJ', widthCm: 0, heightCm: 0 })).toBe('projector');
  });

  it('takes a Hitachi TV that writes its aspect ratio as its size (16 × 9) for a TV, not a projector', () => {
    const cta = {
      revision: 3,
      underscanIt: false,
      basicAudio: true,
      videoCodes: [16, 4, 31],
      compressedAudio: false,
      speakerAllocation: true,
      hdmiVsdb: true,
      hdmiForum: false,
      overscansCe: false,
      hdrStaticMetadata: false,
    };
    const edid = { digital: true, texts: [], hasRangeLimits: true, cta };
    expect(judgeDisplay({ vendor: 'HTC', model: '32FPDEUDA1', widthCm: 16, heightCm: 9, edid })).toEqual({
      kind: 'large-display',
      evidence: ['size', 'cta'],
    });
    expect(classifyDisplay({ vendor: 'HTC', model: 'PROJECTOR', widthCm: 0, heightCm: 0, edid })).toBe('projector');
    expect(classifyDisplay({ vendor: 'HTC', model: 'CML174SX', widthCm: 34, heightCm: 27 })).toBe('monitor');
  });

  it('takes a size-less generic scaler with a touch frame on the PC for an interactive panel (OPS all-in-one)', () => {
    const edid = { digital: true, texts: [], hasRangeLimits: true };
    for (const model of ['MStar Demo', 'HDMI', undefined]) {
      expect(judgeDisplay({ vendor: 'MST', model, widthCm: 0, heightCm: 0, touch: true, edid })).toEqual({
        kind: 'interactive-panel',
        evidence: ['touch', 'size'],
      });
    }
    expect(
      classifyDisplay({ vendor: 'MST', model: 'MStar Demo', widthCm: 0, heightCm: 0, touch: false, edid }),
    ).not.toBe('interactive-panel');
  });
});
