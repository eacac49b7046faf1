import { z } from 'zod';
import { macAddressSchema } from './common.ts';
import { releasePublicKeySchema } from './release-keys.ts';

/** The longest life and the most uses an enrollment token may be given explicitly (defaults: server/enrollment/tokens.ts). */
export const MAX_TOKEN_DAYS = 365;
export const MAX_TOKEN_USES = 10_000;

export const hardwareIdSchema = z.object({
  uuid: z.string().trim().min(1).max(128).optional().describe('SMBIOS system UUID'),
  serial: z.string().trim().min(1).max(128).optional().describe('system or board serial number'),
  macs: z.array(macAddressSchema).max(32).optional().describe('MAC addresses of physical interfaces'),
});
export type HardwareId = z.infer<typeof hardwareIdSchema>;

export const enrollRequestSchema = z.object({
  token: z.string().min(1, 'the enrollment token your county office gave you').max(256),
  hostname: z.string().trim().min(1).max(253),
  hardware: hardwareIdSchema,
  classroom: z.string().trim().min(1).max(64).optional().describe('code of the classroom this PC serves'),
});
export type EnrollRequest = z.infer<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({
  deviceId: z.string(),
  deviceKey: z.string().describe('shown once; the server keeps only its hash'),
  reused: z
    .boolean()
    .describe(
      'true when this PC (same SMBIOS UUID or serial, never a MAC alone) was already enrolled at this school: ' +
        'a reimaged PC',
    ),
  school: z.object({ code: z.string(), name: z.string() }),
  classroom: z.object({ code: z.string(), name: z.string() }).nullable(),
  releaseKeys: z
    .array(z.object({ publicKey: releasePublicKeySchema, fingerprint: z.string() }))
    .describe(
      'the release keys this server trusts (base64 SPKI DER, Ed25519); pin them and show the fingerprints. ' +
        'Empty: none configured yet',
    ),
  releaseSigningKey: z
    .string()
    .nullable()
    .describe('the newest of releaseKeys, for agents before issue 11; null when there is none'),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;
