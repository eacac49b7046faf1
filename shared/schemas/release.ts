import { z } from 'zod';
import { ed25519Valid, releaseKeyStatementSchema, releasePublicKeySchema } from './release-keys.ts';

export const semverSchema = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a version like 1.4.2');

/** The exact bytes that are signed for a release: the version bound to the bundle's hash. */
export function releaseSigningMessage(version: string, sha256: string): Buffer {
  return Buffer.from(`santong-agent-release\n${version}\n${sha256}\n`, 'utf8');
}

/**
 * A release signature as `santong release sign` writes it (`BUNDLE.sig`), the server stores it and the
 * agent keeps it beside its bundle for the launcher: Ed25519 over `releaseSigningMessage`, which binds the
 * version to the bundle's hash, so an old bundle cannot be replayed under a new number.
 */
export const releaseSignatureSchema = z.object({
  version: semverSchema,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  signature: z.string().max(256).describe('base64 Ed25519 signature of releaseSigningMessage(version, sha256)'),
  publicKey: releasePublicKeySchema.describe('the release key that signed it'),
});
export type ReleaseSignature = z.infer<typeof releaseSignatureSchema>;

/** True when the record's signature is its key's over its version and hash (whether that key is trusted is the caller's question). */
export function releaseSignatureValid(
  s: Pick<ReleaseSignature, 'version' | 'sha256' | 'signature' | 'publicKey'>,
): boolean {
  return ed25519Valid(s.publicKey, releaseSigningMessage(s.version, s.sha256), s.signature);
}

/** An agent release as the server announces it, with the key statements an agent needs to follow a rotation. */
export const agentReleaseSchema = z.object({
  version: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int(),
  signature: z.string().describe('base64 Ed25519 signature of releaseSigningMessage(version, sha256)'),
  signedBy: z.string().nullable().default(null).describe('the release key that signed it (base64 SPKI DER)'),
  keyStatements: z
    .array(releaseKeyStatementSchema)
    .max(256)
    .default([])
    .describe('every key rotation and revocation the server knows'),
  publishedAt: z.string(),
  bundleUrl: z.string().describe('path of the bundle on this server'),
});
export type AgentRelease = z.infer<typeof agentReleaseSchema>;
