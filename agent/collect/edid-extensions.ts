/**
 * Parsers for the EDID extension blocks that tell a TV or a presentation display from a desk monitor:
 * CTA-861 (tag 02h: the video formats, audio and vendor blocks TVs carry) and DisplayID (tag 70h: a
 * product type or primary use case). Pure, like the base-block parser beside them.
 */

/** What a CTA-861 extension block says about its sink (CTA-861-G §7.5). */
export type CtaFacts = {
  revision: number;
  /** Byte 3 bit 7: the sink underscans IT formats by default, which computer monitors set and TVs often do not. */
  underscanIt: boolean;
  basicAudio: boolean;
  /** Short video descriptors: the CTA-861 video identification codes (VICs) the sink lists. */
  videoCodes: number[];
  /** Audio formats beyond plain PCM (AC-3, DTS, Dolby TrueHD …): what TVs and AV receivers decode. */
  compressedAudio: boolean;
  speakerAllocation: boolean;
  /** HDMI 1.x vendor-specific data block (IEEE OUI 00-0C-03). */
  hdmiVsdb: boolean;
  /** HDMI Forum vendor-specific data block (OUI C4-5D-D8): HDMI 2.x. */
  hdmiForum: boolean;
  /** Video capability data block: CE formats overscanned (bits 5–4 of its first byte are 01b or 10b). */
  overscansCe: boolean;
  hdrStaticMetadata: boolean;
};

/** A DisplayID section's declared product type (1.3) or primary use case (2.0). */
export type DisplayIdFacts = {
  version: string;
  /** DisplayID 1.3 §2.3 product type: 4 = television receiver, 3 = standalone display, 2 = display panel … */
  productType?: number;
  /** DisplayID 2.0 §2.2 primary use case: 3 = television, 6 = presentation display, 4/5 = desktop … */
  primaryUseCase?: number;
};

const HDMI_OUI = 0x000c03;
const HDMI_FORUM_OUI = 0xc45dd8;

/** Reads one 128-byte CTA-861 extension block (tag 02h); undefined for any other block. */
export function parseCtaBlock(block: Uint8Array): CtaFacts | undefined {
  if (block.length < 128 || block[0] !== 0x02) return undefined;
  const b = (i: number): number => block[i] ?? 0;
  const facts: CtaFacts = {
    revision: b(1),
    underscanIt: (b(3) & 0x80) !== 0,
    basicAudio: (b(3) & 0x40) !== 0,
    videoCodes: [],
    compressedAudio: false,
    speakerAllocation: false,
    hdmiVsdb: false,
    hdmiForum: false,
    overscansCe: false,
    hdrStaticMetadata: false,
  };
  // Revision 1 has no data block collection; from revision 3 it runs from byte 4 to the DTD offset (byte 2).
  const end = Math.min(b(2), 127);
  if (facts.revision < 3 || end < 4) return facts;
  for (let at = 4; at < end;) {
    const tag = b(at) >> 5;
    const length = b(at) & 0x1f;
    const body = block.subarray(at + 1, Math.min(at + 1 + length, end));
    if (tag === 1) {
      for (let i = 0; i + 2 < body.length; i += 3) if ((((body[i] ?? 0) >> 3) & 0x0f) > 1) facts.compressedAudio = true;
    } else if (tag === 2) {
      // Bit 7 marks a native format only for VICs 1–64; codes 129–192 carry it, 193+ are plain codes.
      for (const svd of body) facts.videoCodes.push(svd >= 129 && svd <= 192 ? svd & 0x7f : svd);
    } else if (tag === 3 && body.length >= 3) {
      const oui = (body[0] ?? 0) | ((body[1] ?? 0) << 8) | ((body[2] ?? 0) << 16);
      if (oui === HDMI_OUI) facts.hdmiVsdb = true;
      if (oui === HDMI_FORUM_OUI) facts.hdmiForum = true;
    } else if (tag === 4) {
      facts.speakerAllocation = true;
    } else if (tag === 7 && body.length >= 1) {
      // S_CE in bits 1–0: 01b always overscanned, 11b overscan or underscan; monitors say 10b or 00b.
      if (body[0] === 0x00 && body.length >= 2) facts.overscansCe = ((body[1] ?? 0) & 0x01) === 1;
      if (body[0] === 0x06) facts.hdrStaticMetadata = true;
    }
    at += 1 + length;
  }
  return facts;
}

/** Reads the DisplayID section inside an EDID extension block (tag 70h); undefined for any other block. */
export function parseDisplayIdBlock(block: Uint8Array): DisplayIdFacts | undefined {
  if (block.length < 128 || block[0] !== 0x70) return undefined;
  const versionByte = block[1] ?? 0;
  const version = `${versionByte >> 4}.${versionByte & 0x0f}`;
  const type = (block[3] ?? 0) & 0x0f;
  return versionByte >= 0x20 ? { version, primaryUseCase: type } : { version, productType: type };
}
