import { asc, eq, isNull } from 'drizzle-orm';
import {
  keysTrustedAfter,
  releaseKeyFingerprint,
  releaseKeyStatementSchema,
  releasePublicKeySchema,
  statementSigned,
  type ReleaseKeyStatement,
} from '../../shared/schemas/release-keys.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';

export type ReleaseKeyInfo = {
  publicKey: string;
  fingerprint: string;
  addedAt: number;
  endorsedBy: string | null;
  revokedAt: number | null;
};

/** Every release key the server has known, oldest first, with its fingerprint and state. */
export async function listReleaseKeys(store: Store): Promise<ReleaseKeyInfo[]> {
  const { releaseKeys } = store.t;
  const keys = await store.q.select().from(releaseKeys).orderBy(asc(releaseKeys.addedAt), asc(releaseKeys.publicKey));
  return keys.map((k) => ({
    publicKey: k.publicKey,
    fingerprint: releaseKeyFingerprint(k.publicKey),
    addedAt: k.addedAt,
    endorsedBy: k.endorsedBy,
    revokedAt: k.revokedAt,
  }));
}

/** The keys a release may be signed with and an enrolling agent pins, oldest first; empty until one is added. */
export async function trustedReleaseKeys(store: Store): Promise<string[]> {
  const { releaseKeys } = store.t;
  const keys = await store.q
    .select({ publicKey: releaseKeys.publicKey })
    .from(releaseKeys)
    .where(isNull(releaseKeys.revokedAt))
    .orderBy(asc(releaseKeys.addedAt), asc(releaseKeys.publicKey));
  return keys.map((k) => k.publicKey);
}

/** Every rotation and revocation the server holds, as agents need them to follow from the keys they pinned. */
export async function releaseKeyStatements(store: Store): Promise<ReleaseKeyStatement[]> {
  const { releaseKeys } = store.t;
  const statements: ReleaseKeyStatement[] = [];
  for (const k of await store.q
    .select()
    .from(releaseKeys)
    .orderBy(asc(releaseKeys.addedAt), asc(releaseKeys.publicKey))) {
    if (k.endorsedBy && k.endorsement)
      statements.push({ action: 'trust', publicKey: k.publicKey, signedBy: k.endorsedBy, signature: k.endorsement });
    if (k.revocation)
      statements.push({ action: 'revoke', publicKey: k.publicKey, signedBy: k.publicKey, signature: k.revocation });
  }
  return statements;
}

/** Reads a statement file's JSON (as `santong release endorse` or `revoke` wrote it) or says what is wrong with it. */
export function parseKeyStatement(json: unknown, file: string): ReleaseKeyStatement {
  const parsed = releaseKeyStatementSchema.safeParse(json);
  if (!parsed.success)
    throw new DomainError(
      'invalid',
      'statement_invalid',
      `${file} is not a key statement: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  if (!statementSigned(parsed.data))
    throw new DomainError(
      'invalid',
      'statement_signature_invalid',
      `${file}: the signature does not verify; it was changed or made for another key`,
    );
  return parsed.data;
}

/**
 * Trusts a public release key from now on. With a `trust` statement signed by a key the server trusts
 * (a rotation), agents enrolled earlier learn the key at their next update check; without one, only PCs
 * enrolled from now on pin it (the first key of a new server, or a deliberate restart of trust).
 */
export async function addReleaseKey(
  store: Store,
  publicKey: string,
  statement: ReleaseKeyStatement | null,
  now: number,
  audit: AuditSource,
): Promise<{ fingerprint: string; endorsedBy: string | null }> {
  if (!releasePublicKeySchema.safeParse(publicKey).success)
    throw new DomainError(
      'invalid',
      'release_key_invalid',
      'not an Ed25519 public key: give the base64 text `santong release keygen` printed',
    );
  if (statement && (statement.action !== 'trust' || statement.publicKey !== publicKey)) {
    throw new DomainError(
      'invalid',
      'statement_mismatch',
      'the statement does not vouch for this key: make it with `santong release endorse --key OLD_KEY_FILE --public-key NEW_KEY`',
    );
  }
  if (statement && !statementSigned(statement))
    throw new DomainError('invalid', 'statement_signature_invalid', "the statement's signature does not verify");
  if (statement && !(await trustedReleaseKeys(store)).includes(statement.signedBy)) {
    throw new DomainError(
      'invalid',
      'statement_untrusted',
      `the statement is signed by ${releaseKeyFingerprint(statement.signedBy)}, which this server does not trust (see \`santong release-key list\`)`,
    );
  }
  return await store.transaction(async (tx) => {
    const { releaseKeys } = tx.t;
    const [existing] = await tx.q.select().from(releaseKeys).where(eq(releaseKeys.publicKey, publicKey)).limit(1);
    if (existing?.revokedAt != null)
      throw new DomainError(
        'conflict',
        'release_key_revoked',
        `key ${releaseKeyFingerprint(publicKey)} was revoked; a revoked key is never trusted again`,
      );
    if (existing && (!statement || existing.endorsedBy))
      throw new DomainError(
        'conflict',
        'release_key_exists',
        `key ${releaseKeyFingerprint(publicKey)} is already trusted`,
      );
    const endorsement = statement ? { endorsedBy: statement.signedBy, endorsement: statement.signature } : {};
    if (existing) await tx.q.update(releaseKeys).set(endorsement).where(eq(releaseKeys.publicKey, publicKey));
    else await tx.q.insert(releaseKeys).values({ publicKey, addedAt: now, ...endorsement });
    const endorsedBy = statement ? releaseKeyFingerprint(statement.signedBy) : null;
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'release-key.add',
        entityType: 'release-key',
        entityId: releaseKeyFingerprint(publicKey),
        newValue: { publicKey, endorsedBy },
      },
      now,
    );
    return { fingerprint: releaseKeyFingerprint(publicKey), endorsedBy };
  });
}

/**
 * Records a key's self-signed revocation: the server publishes nothing signed by it any more, and agents
 * drop it, and every key only it vouched for, for good. Returns what PCs enrolled before any rotation still trust.
 */
export async function revokeReleaseKey(
  store: Store,
  statement: ReleaseKeyStatement,
  now: number,
  audit: AuditSource,
): Promise<{ fingerprint: string; stillTrusted: string[] }> {
  if (statement.action !== 'revoke')
    throw new DomainError(
      'invalid',
      'statement_mismatch',
      'this is not a revocation: make one with `santong release revoke --key KEY_FILE`',
    );
  if (!statementSigned(statement))
    throw new DomainError(
      'invalid',
      'statement_signature_invalid',
      'a revocation must be signed by the key it revokes',
    );
  return await store.transaction(async (tx) => {
    const { releaseKeys } = tx.t;
    const [existing] = await tx.q
      .select()
      .from(releaseKeys)
      .where(eq(releaseKeys.publicKey, statement.publicKey))
      .limit(1);
    const fingerprint = releaseKeyFingerprint(statement.publicKey);
    if (!existing)
      throw new DomainError('not-found', 'release_key_unknown', `this server never trusted key ${fingerprint}`);
    if (existing.revokedAt !== null)
      throw new DomainError('conflict', 'release_key_revoked', `key ${fingerprint} is already revoked`);
    await tx.q
      .update(releaseKeys)
      .set({ revokedAt: now, revocation: statement.signature })
      .where(eq(releaseKeys.publicKey, statement.publicKey));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'release-key.revoke',
        entityType: 'release-key',
        entityId: fingerprint,
        newValue: { publicKey: statement.publicKey },
      },
      now,
    );
    // What a PC enrolled before any rotation (it pinned the keys added without a statement) trusts now: the agents' own rule.
    const roots = (
      await tx.q.select({ publicKey: releaseKeys.publicKey }).from(releaseKeys).where(isNull(releaseKeys.endorsedBy))
    ).map((k) => k.publicKey);
    const statements = await releaseKeyStatements(tx);
    return { fingerprint, stillTrusted: keysTrustedAfter(roots, statements).map(releaseKeyFingerprint) };
  });
}
