import { z } from 'zod';

/**
 * An agent release as the server announces it. The signature is Ed25519 over `releaseSigningMessage`,
 * which binds the version to the bundle's hash, so an old bundle cannot be replayed under a new number.
 */
export const agentReleaseSchema = z.object({
  version: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int(),
  signature: z.string().describe('base64 Ed25519 signature of releaseSigningMessage(version, sha256)'),
  publishedAt: z.string(),
  bundleUrl: z.string().describe('path of the bundle on this server'),
});
export type AgentRelease = z.infer<typeof agentReleaseSchema>;

/** The exact bytes that are signed for a release. */
export function releaseSigningMessage(version: string, sha256: string): Buffer {
  return Buffer.from(`santong-agent-release\n${version}\n${sha256}\n`, 'utf8');
}

export const semverSchema = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'a version like 1.4.2');
