/**
 * Builds valid EDIDs the way a display's firmware lays them out: a 128-byte base block and, for TVs, a
 * CTA-861 extension. The demo fleet's classroom displays and the agent's tests are both built with it.
 */
export type EdidSpec = {
  vendorId: string;
  productCode: number;
  serialNumber?: number;
  week?: number;
  year?: number;
  name?: string;
  serialText?: string;
  widthCm?: number;
  heightCm?: number;
  widthPx?: number;
  heightPx?: number;
  /** Append a CTA-861 extension block with an HDMI vendor block, as TVs and most large screens carry. */
  cta?: boolean;
};

export function buildEdid(spec: EdidSpec): Uint8Array {
  const e = new Uint8Array(128);
  e.set([0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00], 0);
  const [a, b, c] = [...spec.vendorId].map((ch) => ch.charCodeAt(0) - 64) as [number, number, number];
  const id = (a << 10) | (b << 5) | c;
  e[8] = id >> 8;
  e[9] = id & 0xff;
  e[10] = spec.productCode & 0xff;
  e[11] = spec.productCode >> 8;
  const serial = spec.serialNumber ?? 0;
  e.set([serial & 0xff, (serial >>> 8) & 0xff, (serial >>> 16) & 0xff, serial >>> 24], 12);
  e[16] = spec.week ?? 0;
  e[17] = (spec.year ?? 2015) - 1990;
  e[18] = 1;
  e[19] = 4;
  e[20] = 0xa5; // digital, 8 bits per colour, DisplayPort
  e[21] = spec.widthCm ?? 0;
  e[22] = spec.heightCm ?? 0;
  const w = spec.widthPx ?? 1920;
  const h = spec.heightPx ?? 1080;
  // First descriptor: a detailed timing with the native mode (pixel clock 148.5 MHz).
  e.set([0x02, 0x3a, w & 0xff, 0x18, ((w >> 8) & 0x0f) << 4, h & 0xff, 0x2d, ((h >> 8) & 0x0f) << 4], 54);
  const descriptors: Array<[number, string]> = [];
  if (spec.name) descriptors.push([0xfc, spec.name]);
  if (spec.serialText) descriptors.push([0xff, spec.serialText]);
  descriptors.forEach(([tag, text], i) => {
    const offset = 72 + i * 18;
    e.set([0, 0, 0, tag, 0], offset);
    const bytes = [...text.slice(0, 13)].map((ch) => ch.charCodeAt(0));
    if (bytes.length < 13) bytes.push(0x0a);
    while (bytes.length < 13) bytes.push(0x20);
    e.set(bytes, offset + 5);
  });
  for (let i = descriptors.length; i < 3; i++) e.set([0, 0, 0, 0x10, 0], 72 + i * 18); // dummy descriptors
  if (spec.cta) e[126] = 1;
  withChecksum(e);
  if (!spec.cta) return e;
  const withExtension = new Uint8Array(256);
  withExtension.set(e, 0);
  withExtension.set(ctaExtension(), 128);
  return withExtension;
}

/** CTA-861-G extension, revision 3: a video block (VIC 16, 1080p60) and the HDMI Licensing vendor block (OUI 00-0C-03). */
function ctaExtension(): Uint8Array {
  const x = new Uint8Array(128);
  const blocks = [0x41, 0x90, 0x65, 0x03, 0x0c, 0x00, 0x10, 0x00];
  x.set([0x02, 0x03, 4 + blocks.length, 0x70], 0);
  x.set(blocks, 4);
  withChecksum(x);
  return x;
}

/** Sets a 128-byte block's last byte so that all its bytes sum to 0 mod 256. */
function withChecksum(block: Uint8Array): void {
  let sum = 0;
  for (let i = 0; i < 127; i++) sum += block[i] ?? 0;
  block[127] = (256 - (sum % 256)) % 256;
}
