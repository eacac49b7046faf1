import { agentReleaseSchema, type AgentRelease } from '../../shared/schemas/release.ts';
import { describeError } from '../http.ts';
import type { SendTarget } from '../send.ts';
import { keepSignature, swapBundle } from './install.ts';
import { compareVersions } from './semver.ts';
import { learnKeyStatements } from './trust.ts';
import { bundleProblem, trustedSigner } from './verify.ts';

export type UpdateCheck =
  | { outcome: 'none' | 'current' }
  | { outcome: 'skipped'; version: string; reason: string }
  | { outcome: 'installed'; version: string }
  | { outcome: 'refused'; version: string; reason: string }
  | { outcome: 'error'; error: string };

export type UpdateCheckOptions = {
  target: SendTarget;
  /** The bundle file to replace. */
  bundle: string;
  currentVersion: string;
  /** The release keys pinned at enrollment (base64 SPKI DER); none for agents enrolled before keys existed or before one was configured. */
  pinnedKeys: readonly string[];
  /** Versions that failed to start on this PC: not installed again; a newer release is. */
  failedVersions: readonly string[];
  now: number;
};

/** A bundle larger than this is refused before it is downloaded (ours is about 0.8 MB). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * Asks the server for its newest release and installs it when it is newer than this agent and signed
 * by a key this PC trusts (pinned at enrollment, or vouched for by one through the key statements the
 * server passes on, which are kept): signature first (nothing unsigned is downloaded), then size, hash
 * and the version the bundle names, then a trial run of `--version`, then the atomic swap.
 */
export async function checkForUpdate(o: UpdateCheckOptions): Promise<UpdateCheck> {
  let release: AgentRelease | null;
  try {
    release = await fetchLatest(o.target);
  } catch (error) {
    return { outcome: 'error', error: describeError(error) };
  }
  if (!release) return { outcome: 'none' };
  const { version } = release;
  // Rotations and revocations are learned at every check, also when there is nothing to install.
  const trusted = await learnKeyStatements(o.bundle, o.pinnedKeys, release.keyStatements);
  const order = compareVersions(version, o.currentVersion);
  const signer = trustedSigner(trusted, release);
  if (order === 0 && signer)
    await keepSignature(o.bundle, { version, sha256: release.sha256, signature: release.signature, publicKey: signer });
  if (order !== 1) return { outcome: 'current' };
  if (o.failedVersions.includes(version)) return { outcome: 'skipped', version, reason: 'failed to start here before' };
  if (o.pinnedKeys.length === 0)
    return {
      outcome: 'refused',
      version,
      reason: 'no release key pinned at enrollment: enroll this PC again to receive updates',
    };
  if (trusted.length === 0)
    return {
      outcome: 'refused',
      version,
      reason: 'every release key this PC trusted was revoked: enroll this PC again to receive updates',
    };
  if (!signer)
    return { outcome: 'refused', version, reason: 'signature does not verify with any release key this PC trusts' };
  if (release.size > MAX_BUNDLE_BYTES)
    return { outcome: 'refused', version, reason: `announced size ${release.size} bytes is too large` };

  const url = new URL(release.bundleUrl, o.target.serverUrl);
  // The device key goes to our server only; the signature would protect the bytes, not the key.
  if (url.origin !== new URL(o.target.serverUrl).origin)
    return { outcome: 'refused', version, reason: `bundle offered from another origin (${url.origin})` };
  let bundle: Buffer;
  try {
    bundle = await download(url, o.target, release.size);
  } catch (error) {
    return { outcome: 'error', error: `downloading ${version}: ${describeError(error)}` };
  }
  const problem = bundleProblem(release, bundle);
  if (problem) return { outcome: 'refused', version, reason: problem };
  const signature = { version, sha256: release.sha256, signature: release.signature, publicKey: signer };
  const notStarting = await swapBundle(o.bundle, bundle, { signature, previousVersion: o.currentVersion, now: o.now });
  if (notStarting) return { outcome: 'refused', version, reason: notStarting };
  return { outcome: 'installed', version };
}

/** The newest release, or null when the server has none (404, or 204) or predates releases (404). */
async function fetchLatest(t: SendTarget): Promise<AgentRelease | null> {
  const res = await t.dispatcher.request(new URL('/api/v1/agent/releases/latest', t.serverUrl), {
    headers: { authorization: `Bearer ${t.deviceKey}`, 'user-agent': t.userAgent },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (res.statusCode === 204 || res.statusCode === 404) return null;
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} ${text.slice(0, 200)}`);
  return agentReleaseSchema.parse(JSON.parse(text));
}

/** The bundle's bytes, stopping as soon as more arrive than were announced. */
async function download(url: URL, t: SendTarget, size: number): Promise<Buffer> {
  const res = await t.dispatcher.request(url, {
    headers: { authorization: `Bearer ${t.deviceKey}`, 'user-agent': t.userAgent },
    signal: AbortSignal.timeout(600_000),
  });
  if (res.statusCode !== 200) {
    res.body.destroy();
    throw new Error(`HTTP ${res.statusCode}`);
  }
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of res.body) {
    chunks.push(chunk as Buffer);
    received += (chunk as Buffer).length;
    if (received > size) {
      res.body.destroy(); // more than announced: bundleProblem reports the size
      break;
    }
  }
  return Buffer.concat(chunks);
}
