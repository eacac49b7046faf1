import { agentReleaseSchema, type AgentRelease } from '../../shared/schemas/release.ts';
import { describeError } from '../http.ts';
import type { SendTarget } from '../send.ts';
import { swapBundle } from './install.ts';
import { compareVersions } from './semver.ts';
import { bundleProblem, signatureValid } from './verify.ts';

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
  /** The server's release key, pinned at enrollment (base64 SPKI DER); absent for agents enrolled before it existed. */
  pinnedKey: string | undefined;
  /** Versions that failed to start on this PC: not installed again; a newer release is. */
  failedVersions: readonly string[];
  now: number;
};

/** A bundle larger than this is refused before it is downloaded (ours is about 0.8 MB). */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/**
 * Asks the server for its newest release and installs it when it is newer than this agent and signed
 * by the pinned key: signature first (nothing unsigned is downloaded), then size, hash and the
 * version the bundle names, then a trial run of `--version`, then the atomic swap.
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
  if (compareVersions(version, o.currentVersion) !== 1) return { outcome: 'current' };
  if (o.failedVersions.includes(version)) return { outcome: 'skipped', version, reason: 'failed to start here before' };
  if (!o.pinnedKey)
    return {
      outcome: 'refused',
      version,
      reason: 'no release key pinned at enrollment: enroll this PC again to receive updates',
    };
  if (!signatureValid(o.pinnedKey, release))
    return { outcome: 'refused', version, reason: 'signature does not verify with the pinned release key' };
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
  const notStarting = await swapBundle(o.bundle, bundle, { version, previousVersion: o.currentVersion, now: o.now });
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
