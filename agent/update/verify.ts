import { createHash } from 'node:crypto';
import { bundleVersion } from '../../shared/release-artifacts.ts';
import { releaseSignatureValid, type AgentRelease, type ReleaseSignature } from '../../shared/schemas/release.ts';

/** The trusted key whose Ed25519 signature `release.signature` is over its version and hash, or null. */
export function trustedSigner(
  trusted: readonly string[],
  release: Pick<AgentRelease, 'version' | 'sha256' | 'signature'>,
): string | null {
  return trusted.find((publicKey) => releaseSignatureValid({ ...release, publicKey })) ?? null;
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
  if (bundleVersion(bundle) !== release.version) return `the bundle does not name itself version ${release.version}`;
  return null;
}

/**
 * What the launcher checks before it runs a file, for `install-service` to check first: the record that
 * a trusted key signed exactly these bytes as the version they name, or why there is none.
 */
export function signedBundle(
  bundle: Buffer,
  records: readonly ReleaseSignature[],
  trusted: readonly string[],
): { version: string } | { problem: string } {
  if (trusted.length === 0) return { problem: 'no release key pinned at enrollment' };
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const version = bundleVersion(bundle);
  const signed = records.find((r) => r.sha256 === sha256 && r.version === version && trustedSigner(trusted, r));
  return signed
    ? { version: signed.version }
    : { problem: `no signature by a release key this PC trusts covers it (sha256 ${sha256})` };
}
