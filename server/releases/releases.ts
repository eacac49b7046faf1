import { createHash } from 'node:crypto';
import { desc, eq, sql } from 'drizzle-orm';
import { releaseSigningMessage, semverSchema, type AgentRelease } from '../../shared/schemas/release.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { agentReleases } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { signWithReleaseKey } from './signing-key.ts';

const bundlePath = (version: string) => `/api/v1/agent/releases/${version}/bundle`;

/** The version a bundle names in its first lines (`// santong-agent 1.2.3`), if any. */
export function bundleVersion(bundle: Buffer): string | null {
  const head = bundle.subarray(0, 1024).toString('utf8');
  return /^\/\/ santong-agent (\S+)$/m.exec(head)?.[1] ?? null;
}

/** Signs and stores an agent bundle as the newest release. Versions are immutable once published. */
export function publishAgentRelease(
  db: Db,
  bundle: Buffer,
  version: string,
  now: number,
  audit: AuditSource,
): AgentRelease {
  const parsed = semverSchema.safeParse(version);
  if (!parsed.success)
    throw new DomainError('invalid', 'version_invalid', `version "${version}": ${parsed.error.issues[0]!.message}`);
  if (db.select({ v: agentReleases.version }).from(agentReleases).where(eq(agentReleases.version, version)).get()) {
    throw new DomainError('conflict', 'version_exists', `version ${version} is already published; bump the version`);
  }
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const signature = signWithReleaseKey(db, releaseSigningMessage(version, sha256), now);
  inTransaction(db, () => {
    db.insert(agentReleases).values({ version, bundle, sha256, signature, publishedAt: now }).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'agent-release.publish',
        entityType: 'agent-release',
        entityId: version,
        newValue: { version, sha256, size: bundle.length },
      },
      now,
    );
  });
  return {
    version,
    sha256,
    size: bundle.length,
    signature,
    publishedAt: new Date(now).toISOString(),
    bundleUrl: bundlePath(version),
  };
}

/** The release published last (publishing is also how a bad version is rolled back), or null. */
export function latestAgentRelease(db: Db): AgentRelease | null {
  const row = db
    .select({
      version: agentReleases.version,
      sha256: agentReleases.sha256,
      signature: agentReleases.signature,
      publishedAt: agentReleases.publishedAt,
      size: sql<number>`length(${agentReleases.bundle})`,
    })
    .from(agentReleases)
    .orderBy(desc(agentReleases.publishedAt))
    .limit(1)
    .get();
  if (!row) return null;
  return {
    version: row.version,
    sha256: row.sha256,
    size: row.size,
    signature: row.signature,
    publishedAt: new Date(row.publishedAt).toISOString(),
    bundleUrl: bundlePath(row.version),
  };
}

/** The bytes of a published bundle, or a 404. */
export function agentReleaseBundle(db: Db, version: string): Buffer {
  const row = db
    .select({ bundle: agentReleases.bundle })
    .from(agentReleases)
    .where(eq(agentReleases.version, version))
    .get();
  if (!row) throw new DomainError('not-found', 'release_unknown', `no agent release ${version}`);
  return row.bundle;
}
