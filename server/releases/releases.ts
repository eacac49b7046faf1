import { createHash } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { bundleVersion } from '../../shared/release-artifacts.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import {
  releaseSignatureValid,
  semverSchema,
  type AgentRelease,
  type ReleaseSignature,
} from '../../shared/schemas/release.ts';
import type { Store } from '../db/store.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { DomainError } from '../errors.ts';
import { releaseKeyStatements, trustedReleaseKeys } from './release-keys.ts';

const bundlePath = (version: string) => `/api/v1/agent/releases/${version}/bundle`;

/**
 * Stores an agent bundle, signed offline (`santong release sign`), as the newest release. The server
 * holds no private key: it only checks that the signature is over these bytes and this version, by a key
 * it trusts, so what it announces is what the release holder signed. Versions are immutable once published.
 */
export async function publishAgentRelease(
  store: Store,
  bundle: Buffer,
  signed: ReleaseSignature,
  now: number,
  audit: AuditSource,
): Promise<AgentRelease> {
  const { version } = signed;
  const parsed = semverSchema.safeParse(version);
  if (!parsed.success)
    throw new DomainError('invalid', 'version_invalid', `version "${version}": ${parsed.error.issues[0]!.message}`);
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  if (sha256 !== signed.sha256)
    throw new DomainError(
      'invalid',
      'signature_other_bytes',
      `the signature is for other bytes (sha256 ${signed.sha256}, this bundle ${sha256}): sign this file again`,
    );
  const named = bundleVersion(bundle);
  if (named !== version)
    throw new DomainError(
      'invalid',
      'version_mismatch',
      `the bundle names itself ${named ?? 'no version'}, the signature ${version}; agents refuse such a release`,
    );
  if (!releaseSignatureValid(signed))
    throw new DomainError('invalid', 'signature_invalid', 'the signature does not verify with the key it names');
  const trusted = await trustedReleaseKeys(store);
  if (!trusted.includes(signed.publicKey)) {
    const known = trusted.length ? trusted.map(releaseKeyFingerprint).join(', ') : 'none yet';
    throw new DomainError(
      'invalid',
      'signature_untrusted',
      `signed by key ${releaseKeyFingerprint(signed.publicKey)}, which this server does not trust (trusted: ${known}); add it with \`santong release-key add\``,
    );
  }
  const { agentReleases } = store.t;
  const published = await store.q
    .select({ v: agentReleases.version })
    .from(agentReleases)
    .where(eq(agentReleases.version, version))
    .limit(1);
  if (published.length > 0) {
    throw new DomainError('conflict', 'version_exists', `version ${version} is already published; bump the version`);
  }
  await store.transaction(async (tx) => {
    await tx.q
      .insert(tx.t.agentReleases)
      .values({ version, bundle, sha256, signature: signed.signature, signedBy: signed.publicKey, publishedAt: now });
    const newValue = { version, sha256, size: bundle.length, signedBy: releaseKeyFingerprint(signed.publicKey) };
    await recordAudit(
      tx,
      { ...audit, action: 'agent-release.publish', entityType: 'agent-release', entityId: version, newValue },
      now,
    );
  });
  return {
    ...announce({
      version,
      sha256,
      size: bundle.length,
      signature: signed.signature,
      signedBy: signed.publicKey,
      publishedAt: now,
    }),
    keyStatements: await releaseKeyStatements(store),
  };
}

function announce(row: {
  version: string;
  sha256: string;
  size: number;
  signature: string;
  signedBy: string | null;
  publishedAt: number;
}): Omit<AgentRelease, 'keyStatements'> {
  return {
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    signature: row.signature,
    signedBy: row.signedBy,
    publishedAt: new Date(row.publishedAt).toISOString(),
    bundleUrl: bundlePath(row.version),
  };
}

/** The release published last (publishing is also how a bad version is rolled back) with the key statements agents follow, or null. */
export async function latestAgentRelease(store: Store): Promise<AgentRelease | null> {
  const { agentReleases } = store.t;
  const [row] = await store.q
    .select({
      version: agentReleases.version,
      sha256: agentReleases.sha256,
      signature: agentReleases.signature,
      signedBy: agentReleases.signedBy,
      publishedAt: agentReleases.publishedAt,
      size: sql<number>`length(${agentReleases.bundle})`,
    })
    .from(agentReleases)
    .orderBy(desc(agentReleases.publishedAt))
    .limit(1);
  return row ? { ...announce(row), keyStatements: await releaseKeyStatements(store) } : null;
}

/** The bytes of a published bundle, or a 404. */
export async function agentReleaseBundle(store: Store, version: string): Promise<Buffer> {
  const { agentReleases } = store.t;
  const [row] = await store.q
    .select({ bundle: agentReleases.bundle })
    .from(agentReleases)
    .where(eq(agentReleases.version, version))
    .limit(1);
  if (!row) throw new DomainError('not-found', 'release_unknown', `no agent release ${version}`);
  return row.bundle;
}
