import { createHash, createPublicKey, verify } from 'node:crypto';
import { z } from 'zod';

/*
 * Release keys: Ed25519 keys held offline by the release holder (`santong release keygen`), never by the
 * server. An agent pins the server's trusted public keys at enrollment and learns a new key only from a
 * statement signed by a key it already trusts (docs/decisions/060-offline-release-keys.md).
 */

/** A public key as it travels: base64 of its SPKI DER (44 bytes for Ed25519). */
export const releasePublicKeySchema = z
  .string()
  .max(128)
  .refine(
    (key) => ed25519PublicKey(key) !== null,
    'an Ed25519 public key (base64 SPKI DER), as `santong release keygen` prints it',
  );

/**
 * A key statement, signed offline: `trust` (a key the agents trust vouches for a new one: rotation) or
 * `revoke` (a key withdraws itself, for good). The signature is Ed25519 over `releaseKeyStatementMessage`.
 */
export const releaseKeyStatementSchema = z.object({
  action: z.enum(['trust', 'revoke']),
  publicKey: releasePublicKeySchema.describe('the key the statement is about'),
  signedBy: releasePublicKeySchema.describe('the key that signed it; for revoke, the same key'),
  signature: z.string().max(256).describe('base64 Ed25519 signature of releaseKeyStatementMessage(action, publicKey)'),
});
export type ReleaseKeyStatement = z.infer<typeof releaseKeyStatementSchema>;

/** The exact bytes signed for a key statement. */
export function releaseKeyStatementMessage(action: ReleaseKeyStatement['action'], publicKey: string): Buffer {
  return Buffer.from(`santong-release-key\n${action}\n${publicKey}\n`, 'utf8');
}

/**
 * The short form a person compares: the first 80 bits of SHA-256 over the key's DER, in five groups of
 * four hex digits ("3f2a 9c01 77be 4d10 a1b2"), the same on the agent's screen, the CLI and the dashboard.
 */
export function releaseKeyFingerprint(publicKey: string): string {
  const hex = createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex').slice(0, 20);
  return hex.match(/.{4}/g)!.join(' ');
}

function ed25519PublicKey(publicKey: string) {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey, 'base64'), format: 'der', type: 'spki' });
    return key.asymmetricKeyType === 'ed25519' ? key : null;
  } catch {
    return null;
  }
}

/** True when `signature` (base64) is `publicKey`'s Ed25519 signature of `message`; false for anything malformed. */
export function ed25519Valid(publicKey: string, message: Buffer, signature: string): boolean {
  const key = ed25519PublicKey(publicKey);
  if (!key) return false;
  try {
    return verify(null, message, key, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

/** True when the statement's signature is its signer's; says nothing about whether the signer is trusted. */
export function statementSigned(s: ReleaseKeyStatement): boolean {
  if (s.action === 'revoke' && s.signedBy !== s.publicKey) return false;
  return ed25519Valid(s.signedBy, releaseKeyStatementMessage(s.action, s.publicKey), s.signature);
}

/**
 * The keys trusted, given the keys pinned at enrollment and the statements known: the one rule for the
 * agent, the server and (re-implemented in plain JavaScript) the launcher. A key that revoked itself is
 * never trusted, pinned or not. From the pinned keys, every `trust` statement signed by a trusted key adds
 * its key, until nothing changes: a chain of rotations is followed, and what only a revoked key vouched
 * for is trusted no more, whatever order the statements arrive in.
 */
export function keysTrustedAfter(pinned: readonly string[], statements: readonly ReleaseKeyStatement[]): string[] {
  const valid = statements.filter(statementSigned);
  const revoked = new Set(valid.filter((s) => s.action === 'revoke').map((s) => s.publicKey));
  const trusted = new Set(pinned.filter((k) => !revoked.has(k)));
  for (let grew = true; grew;) {
    grew = false;
    for (const s of valid) {
      if (s.action !== 'trust' || trusted.has(s.publicKey) || revoked.has(s.publicKey) || !trusted.has(s.signedBy))
        continue;
      trusted.add(s.publicKey);
      grew = true;
    }
  }
  return [...trusted];
}

/** Two statements say the same when action, key and signature are the same. */
export const sameStatement = (a: ReleaseKeyStatement, b: ReleaseKeyStatement) =>
  a.action === b.action && a.publicKey === b.publicKey && a.signedBy === b.signedBy && a.signature === b.signature;
