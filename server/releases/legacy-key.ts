import { createPrivateKey } from 'node:crypto';
import { count } from 'drizzle-orm';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { signingKeys } from '../db/schema.ts';
import { legacyDb, type Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { publicKeyText, writeSecretFile } from './offline-keys.ts';

/** True while the database still holds a release private key, as servers before issue 11 kept one. */
export async function legacyReleaseKeyPresent(store: Store): Promise<boolean> {
  const [row] = await store.q.select({ n: count() }).from(store.t.signingKeys);
  return row!.n > 0;
}

/** The warning a server logs at every start while the key is there. */
export const legacyKeyWarning =
  'SECURITY: this database holds the private key that signs agent updates: whoever copies the database or a backup can make every enrolled PC run their code. ' +
  'Stop the server and run `santong release-key export-legacy --out FILE` to move it to a file only you can read (docs/decisions/060-offline-release-keys.md).';

/**
 * `santong release-key export-legacy --out FILE`: writes the database's release private key to FILE
 * (0600, fsynced, read back), then deletes it so that no byte of it stays in the database file or its
 * WAL: secure_delete zeroes the deleted cells, VACUUM rewrites every page (temp store in memory, so no
 * temp file gets a copy) and a TRUNCATE checkpoint empties the WAL. Agents pinned its public key, which
 * stays trusted. Run again, it finishes a wipe another process's open connection held up.
 *
 * SQLite only, on its connection: the wipe is SQLite's, and only SQLite deployments ever held such a key
 * (servers before issue 11, long before PostgreSQL); on PostgreSQL there is nothing to export.
 */
export async function exportLegacyReleaseKey(
  store: Store,
  out: string,
  now: number,
  audit: AuditSource,
): Promise<{ fingerprint: string | null }> {
  if (store.dialect === 'postgres') return { fingerprint: null }; // never held one: nothing to move or wipe
  const db = legacyDb(store, "moving the legacy release key out of the database (SQLite's own wipe)");
  const rows = db.select().from(signingKeys).all();
  if (rows.length > 1)
    throw new DomainError(
      'conflict',
      'several_legacy_keys',
      `this database holds ${rows.length} release private keys; export them one by one is not supported: ask for help`,
    );
  const client = db.$client;
  let fingerprint: string | null = null;
  if (rows.length === 1) {
    const row = rows[0]!;
    const key = createPrivateKey(row.privateKey);
    if (publicKeyText(key) !== row.publicKey)
      throw new DomainError(
        'invalid',
        'legacy_key_mismatch',
        'the stored private key does not match its public key; nothing was changed',
      );
    writeSecretFile(out, row.privateKey);
    fingerprint = releaseKeyFingerprint(row.publicKey);
    client.pragma('secure_delete = ON');
    await store.transaction(async (tx) => {
      await tx.q
        .insert(tx.t.releaseKeys)
        .values({ publicKey: row.publicKey, addedAt: row.createdAt })
        .onConflictDoNothing();
      await tx.q.delete(tx.t.signingKeys);
      await recordAudit(
        tx,
        {
          ...audit,
          action: 'release-key.export-legacy',
          entityType: 'release-key',
          entityId: fingerprint!,
          newValue: { exportedTo: out },
        },
        now,
      );
    });
  }
  client.pragma('temp_store = MEMORY');
  client.exec('VACUUM');
  const [checkpoint] = client.pragma('wal_checkpoint(TRUNCATE)') as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  if (checkpoint && checkpoint.busy !== 0) {
    throw new DomainError(
      'conflict',
      'database_busy',
      `${fingerprint ? `the key is in ${out} and deleted, but ` : ''}another process (the server?) holds the database open, so its WAL still holds old pages: stop it and run this command again`,
    );
  }
  return { fingerprint };
}
