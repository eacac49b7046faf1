import { generateKeyPairSync, createPrivateKey, sign } from 'node:crypto';
import { desc } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { signingKeys } from '../db/schema.ts';

/**
 * The server's Ed25519 release-signing key, made on first use. Agents pin the public key (base64 SPKI
 * DER) when they enroll and refuse any bundle it did not sign.
 */
export function releaseSigningKey(db: Db, now: number): { publicKey: string; privateKeyPem: string } {
  const existing = db.select().from(signingKeys).orderBy(desc(signingKeys.id)).limit(1).get();
  if (existing) return { publicKey: existing.publicKey, privateKeyPem: existing.privateKey };
  const pair = generateKeyPairSync('ed25519');
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const privateKeyPem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  db.insert(signingKeys).values({ publicKey, privateKey: privateKeyPem, createdAt: now }).run();
  return { publicKey, privateKeyPem };
}

/** Signs a message with the server's release key; returns base64. */
export function signWithReleaseKey(db: Db, message: Buffer, now: number): string {
  const { privateKeyPem } = releaseSigningKey(db, now);
  return sign(null, message, createPrivateKey(privateKeyPem)).toString('base64');
}
