import type { HardwareId } from '../../shared/schemas/enroll.ts';

/*
 * Placeholder identifiers that firmware vendors ship unfilled: thousands of unrelated PCs share them,
 * so they identify nothing and would make every such PC look like "the same hardware at two schools"
 * (a known weak point of Giga's device ids). They are ignored for matching.
 */
const placeholderUuids = new Set([
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '03000200-0400-0500-0006-000700080009',
  '00020003-0004-0005-0006-000700080009',
  '4c4c4544-0000-2010-8020-80c04f202020',
]);
const placeholderSerials = new Set([
  'to be filled by o.e.m.',
  'default string',
  'system serial number',
  'not specified',
  'not applicable',
  'none',
  'n/a',
  'na',
  '0',
  '00000000',
  '0123456789',
  '123456789',
  'chassis serial number',
  'base board serial number',
]);
// Locally administered, broadcast and all-zero MACs (virtual adapters, VPNs) say nothing about the PC.
const isUsableMac = (mac: string) => mac !== '00:00:00:00:00:00' && (parseInt(mac.slice(0, 2), 16) & 0b11) === 0;

export interface HardwareFingerprint {
  uuid: string | null;
  serial: string | null;
  macs: string[];
}

/** The identifiers of a PC that are worth matching on, with placeholders and virtual MACs removed. */
export function hardwareFingerprint(hardware: HardwareId): HardwareFingerprint {
  const uuid = hardware.uuid?.toLowerCase() ?? null;
  const serial = hardware.serial ?? null;
  return {
    uuid: uuid && !placeholderUuids.has(uuid) ? uuid : null,
    serial: serial && !placeholderSerials.has(serial.toLowerCase()) ? serial : null,
    macs: [...new Set(hardware.macs ?? [])].filter(isUsableMac).sort(),
  };
}
