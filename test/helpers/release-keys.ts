import { generateKeyPairSync } from 'node:crypto';
import type { ReleaseSignature } from '../../shared/schemas/release.ts';
import { releaseKeyFingerprint, type ReleaseKeyStatement } from '../../shared/schemas/release-keys.ts';
import type { Store } from '../../server/db/store.ts';
import { keyStatement, publicKeyText, signBundle, type ReleaseKeyPair } from '../../server/releases/offline-keys.ts';
import { addReleaseKey } from '../../server/releases/release-keys.ts';
import { byTest } from './server.ts';

/** A release key held by the test, as the release holder holds theirs (never in the server's database). */
export type TestReleaseKey = ReleaseKeyPair & {
  sign(bundle: Buffer): ReleaseSignature;
  vouchFor(other: TestReleaseKey): ReleaseKeyStatement;
  revocation(): ReleaseKeyStatement;
};

export function makeReleaseKey(): TestReleaseKey {
  const { privateKey } = generateKeyPairSync('ed25519');
  const publicKey = publicKeyText(privateKey);
  const pair: ReleaseKeyPair = { privateKey, publicKey, fingerprint: releaseKeyFingerprint(publicKey) };
  return {
    ...pair,
    sign: (bundle) => signBundle(bundle, pair),
    vouchFor: (other) => keyStatement('trust', other.publicKey, pair),
    revocation: () => keyStatement('revoke', publicKey, pair),
  };
}

/** The server trusts this key from now on (`santong release-key add`), with the statement of a rotation if given. */
export async function trustReleaseKey(
  store: Store,
  key: TestReleaseKey,
  statement: ReleaseKeyStatement | null = null,
  now = Date.now(),
): Promise<void> {
  await addReleaseKey(store, key.publicKey, statement, now, byTest);
}
