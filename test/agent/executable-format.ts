import { inflateRawSync } from 'node:zlib';

/*
 * Reads the headers of a built executable as the loaders do, to check the cross-built ones (linux-arm64,
 * win-x64) without running them: the machine they are for, and the single-executable blob Node will find
 * in them (an ELF note or a PE resource named NODE_SEA_BLOB).
 */

export const SEA_RESOURCE = 'NODE_SEA_BLOB';

/** e_machine of an ELF file (0x3E x86-64, 0xB7 AArch64), or null when it is not a 64-bit little-endian ELF. */
export function elfMachine(file: Buffer): number | null {
  if (file.toString('latin1', 0, 4) !== '\x7fELF' || file[4] !== 2 || file[5] !== 1) return null;
  return file.readUInt16LE(18);
}

/** The descriptors of the ELF notes named `name`, from every note section. */
export function elfNotes(file: Buffer, name: string): Buffer[] {
  const shoff = Number(file.readBigUInt64LE(0x28));
  const shentsize = file.readUInt16LE(0x3a);
  const shnum = file.readUInt16LE(0x3c);
  const found: Buffer[] = [];
  for (let i = 0; i < shnum; i++) {
    const sh = shoff + i * shentsize;
    if (file.readUInt32LE(sh + 4) !== 7) continue; // SHT_NOTE
    const start = Number(file.readBigUInt64LE(sh + 0x18));
    const end = start + Number(file.readBigUInt64LE(sh + 0x20));
    for (let at = start; at + 12 <= end;) {
      const namesz = file.readUInt32LE(at);
      const descsz = file.readUInt32LE(at + 4);
      const noteName = file.toString('latin1', at + 12, at + 12 + namesz).replace(/\0+$/, '');
      const desc = at + 12 + align4(namesz);
      if (noteName === name) found.push(file.subarray(desc, desc + descsz));
      at = desc + align4(descsz);
    }
  }
  return found;
}

const align4 = (n: number) => (n + 3) & ~3;

type PeSection = { name: string; virtualAddress: number; rawSize: number; rawPointer: number };

/** The machine field of a PE file (0x8664 x64), after checking `MZ` and `PE\0\0`; null when it is not one. */
export function peMachine(file: Buffer): number | null {
  if (file.toString('latin1', 0, 2) !== 'MZ') return null;
  const pe = file.readUInt32LE(0x3c);
  if (file.toString('latin1', pe, pe + 4) !== 'PE\0\0') return null;
  return file.readUInt16LE(pe + 4);
}

function peSections(file: Buffer): PeSection[] {
  const pe = file.readUInt32LE(0x3c);
  const count = file.readUInt16LE(pe + 6);
  const optionalSize = file.readUInt16LE(pe + 20);
  const table = pe + 24 + optionalSize;
  return Array.from({ length: count }, (_, i) => {
    const s = table + i * 40;
    return {
      name: file.toString('latin1', s, s + 8).replace(/\0+$/, ''),
      virtualAddress: file.readUInt32LE(s + 12),
      rawSize: file.readUInt32LE(s + 16),
      rawPointer: file.readUInt32LE(s + 20),
    };
  });
}

/** The bytes of the PE resource of any type whose name is `name` (its first language), or null. */
export function peResource(file: Buffer, name: string): Buffer | null {
  const rsrc = peSections(file).find((s) => s.name === '.rsrc');
  if (!rsrc) return null;
  const base = rsrc.rawPointer;
  const entries = (dir: number) => {
    const count = file.readUInt16LE(base + dir + 12) + file.readUInt16LE(base + dir + 14);
    return Array.from({ length: count }, (_, i) => ({
      name: file.readUInt32LE(base + dir + 16 + i * 8),
      target: file.readUInt32LE(base + dir + 16 + i * 8 + 4),
    }));
  };
  const nameOf = (entry: number) => {
    if (!(entry & 0x80000000)) return null;
    const at = base + (entry & 0x7fffffff);
    return file.toString('utf16le', at + 2, at + 2 + file.readUInt16LE(at) * 2);
  };
  for (const type of entries(0)) {
    if (!(type.target & 0x80000000)) continue;
    for (const named of entries(type.target & 0x7fffffff)) {
      if (nameOf(named.name) !== name || !(named.target & 0x80000000)) continue;
      const language = entries(named.target & 0x7fffffff)[0];
      if (!language) return null;
      const data = base + language.target;
      const rva = file.readUInt32LE(data);
      const start = rva - rsrc.virtualAddress + rsrc.rawPointer;
      return file.subarray(start, start + file.readUInt32LE(data + 4));
    }
  }
  return null;
}

/**
 * The data blocks of an NSIS installer built with zlib, not solid (agent/package/windows-installer.ts `fast`),
 * inflated: the script's header first, then every file it carries and the plug-ins. NSIS's first header sits on
 * a 512-byte boundary after the stub (0xDEADBEEF, "NullsoftInst", then the length of all that follows); each
 * block is a 32-bit length, its top bit set when the block is compressed (raw deflate), then the bytes.
 */
export function nsisDataBlocks(file: Buffer): Buffer[] {
  let first = -1;
  for (let at = 0; at + 28 <= file.length && first < 0; at += 512)
    if (file.readUInt32LE(at + 4) === 0xdeadbeef && file.toString('latin1', at + 8, at + 20) === 'NullsoftInst')
      first = at;
  if (first < 0) return [];
  const end = first + file.readUInt32LE(first + 24) - 4; // a CRC32 closes the data
  const blocks: Buffer[] = [];
  for (let at = first + 28; at + 4 <= end;) {
    const word = file.readUInt32LE(at);
    const length = word & 0x7fffffff;
    const bytes = file.subarray(at + 4, at + 4 + length);
    blocks.push(word & 0x80000000 ? inflateRawSync(bytes) : bytes);
    at += 4 + length;
  }
  return blocks;
}
