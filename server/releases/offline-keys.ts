import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  releaseKeyFingerprint,
  releaseKeyStatementMessage,
  type ReleaseKeyStatement,
} from '../../shared/schemas/release-keys.ts';
import { releaseSigningMessage, type ReleaseSignature } from '../../shared/schemas/release.ts';
import { DomainError } from '../errors.ts';
import { artifactVersion } from '../../shared/release-artifacts.ts';

/*
 * The release holder's side, run on their own machine with no server and no database: make a key,
 * sign a bundle, vouch for a successor key, withdraw a key. The private key only ever lives in a file
 * its holder alone can read (docs/decisions/060-offline-release-keys.md).
 */

export type ReleaseKeyPair = { privateKey: KeyObject; publicKey: string; fingerprint: string };

/** base64 SPKI DER: the form agents pin and statements name. */
export function publicKeyText(key: KeyObject): string {
  return (key.type === 'public' ? key : createPublicKey(key))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
}

/**
 * Writes a secret file readable by its owner only (0600 whatever the umask), never over an existing
 * file, and fsyncs it and its directory: it may be the only copy of a key.
 */
export function writeSecretFile(file: string, text: string): void {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new DomainError(
        'conflict',
        'file_exists',
        `${file} exists; a key file is never overwritten: choose another name`,
      );
    throw error;
  }
  try {
    fs.fchmodSync(fd, 0o600);
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (process.platform !== 'win32') {
    const dir = fs.openSync(path.dirname(path.resolve(file)), 'r');
    try {
      fs.fsyncSync(dir);
    } finally {
      fs.closeSync(dir);
    }
  }
}

/** `santong release keygen --out FILE`: a new Ed25519 release key in FILE (PKCS#8 PEM, 0600). */
export function generateReleaseKey(out: string): ReleaseKeyPair {
  const pair = generateKeyPairSync('ed25519');
  writeSecretFile(out, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const publicKey = publicKeyText(pair.publicKey);
  return { privateKey: pair.privateKey, publicKey, fingerprint: releaseKeyFingerprint(publicKey) };
}

/** Reads a release key file; refuses one that other users can read, as ssh does, since anyone who reads it can sign agent code. */
export function readReleaseKey(file: string): ReleaseKeyPair {
  let text: string;
  try {
    if (process.platform !== 'win32') {
      const mode = fs.statSync(file).mode & 0o777;
      if (mode & 0o077)
        throw new DomainError(
          'invalid',
          'key_file_exposed',
          `${file} can be read by others (mode ${mode.toString(8).padStart(4, '0')}): run \`chmod 600 ${file}\` and consider the key exposed if others had access`,
        );
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new DomainError('not-found', 'key_file_missing', `no key file at ${file}`);
    throw error;
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(text);
  } catch {
    throw new DomainError(
      'invalid',
      'key_file_invalid',
      `${file} is not a private key (PEM) as \`santong release keygen\` writes it`,
    );
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new DomainError(
      'invalid',
      'key_file_invalid',
      `${file} holds a ${privateKey.asymmetricKeyType} key; release keys are Ed25519`,
    );
  const publicKey = publicKeyText(privateKey);
  return { privateKey, publicKey, fingerprint: releaseKeyFingerprint(publicKey) };
}

/**
 * `santong release sign FILE --key KEY`: the signature record for a release artifact (the bundle, an
 * executable, a .deb, the Windows installer), for the version the artifact names in its own bytes (shared/release-artifacts.ts).
 */
export function signBundle(bundle: Buffer, key: ReleaseKeyPair): ReleaseSignature {
  const version = artifactVersion(bundle)?.version;
  if (!version)
    throw new DomainError(
      'invalid',
      'version_missing',
      'the file names no version: a bundle\'s line 2 is "// santong-agent X.Y.Z", an executable holds one "// santong-agent-executable X.Y.Z TARGET" line, the Windows installer a "santong-agent-installer X.Y.Z win-x64" version resource and a .deb a control file of santong-agent, all written by npm run build:agent',
    );
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const signature = sign(null, releaseSigningMessage(version, sha256), key.privateKey).toString('base64');
  return { version, sha256, signature, publicKey: key.publicKey };
}

/** A signed key statement: `trust` another key (rotation) or `revoke` the signer itself. */
export function keyStatement(
  action: ReleaseKeyStatement['action'],
  subject: string,
  key: ReleaseKeyPair,
): ReleaseKeyStatement {
  if (action === 'revoke' && subject !== key.publicKey)
    throw new DomainError('invalid', 'statement_mismatch', 'a key can revoke only itself');
  if (action === 'trust' && subject === key.publicKey)
    throw new DomainError('invalid', 'statement_mismatch', 'a key cannot vouch for itself; give the new key');
  const signature = sign(null, releaseKeyStatementMessage(action, subject), key.privateKey).toString('base64');
  return { action, publicKey: subject, signedBy: key.publicKey, signature };
}
