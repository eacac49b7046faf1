import { createHash, createPublicKey, verify } from 'node:crypto';
import { releaseSigningMessage, type AgentRelease } from '../../shared/schemas/release.ts';

/**
 * True when `release.signature` is the pinned key's Ed25519 signature of the version and hash. The
 * key was pinned at enrollment, so neither a server database edit nor a proxy in the middle can
 * make the agent run code the bureau did not sign.
 */
export function signatureValid(
  pinnedKey: string,
  release: Pick<AgentRelease, 'version' | 'sha256' | 'signature'>,
): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(pinnedKey, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519') return false;
    return verify(
      null,
      releaseSigningMessage(release.version, release.sha256),
      key,
      Buffer.from(release.signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** Why downloaded bytes are not the signed release, or null when they are. */
export function bundleProblem(
  release: Pick<AgentRelease, 'version' | 'sha256' | 'size'>,
  bundle: Buffer,
): string | null {
  if (bundle.length !== release.size) return `size ${bundle.length} bytes, announced ${release.size}`;
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  if (sha256 !== release.sha256) return `sha256 mismatch: got ${sha256}, signed ${release.sha256}`;
  // A signed old bundle re-announced under a higher number would update itself in a loop forever.
  if (!bundle.subarray(0, 1024).toString('utf8').includes(`\n// santong-agent ${release.version}\n`)) {
    return `the bundle does not name itself version ${release.version}`;
  }
  return null;
}
