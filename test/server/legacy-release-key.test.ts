import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../server/db/client.ts';
import { sqliteStore } from '../../server/db/store.ts';
import { startServer } from '../../server/index.ts';
import { parseServerConfig } from '../../server/config.ts';
import { readReleaseKey, signBundle } from '../../server/releases/offline-keys.ts';
import { publishAgentRelease } from '../../server/releases/releases.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { repoRoot, santong } from '../helpers/cli.ts';
import { byTest } from '../helpers/server.ts';

/*
 * The upgrade path (issue 11): a server from before holds the release private key in signing_keys,
 * and every agent it enrolled pinned that key's public half. Nothing may lose it silently; the server
 * warns at every start while it is there; one command moves it to a 0600 file and leaves no byte of it
 * in the database file or its WAL.
 */
const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** A data dir as a server before issue 11 left it: migrations up to 0016, and the key pair it made on the first enrollment. */
function legacyDataDir(): { dataDir: string; publicKey: string; pem: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-legacy-'));
  dirs.push(root);
  const migrations = path.join(root, 'migrations');
  fs.cpSync(path.join(repoRoot, 'migrations'), migrations, { recursive: true });
  const journalFile = path.join(migrations, 'meta', '_journal.json');
  const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: { idx: number }[] };
  fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.filter((e) => e.idx <= 16) }));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  const sqlite = new Database(path.join(dataDir, DATABASE_FILE));
  sqlite.pragma('journal_mode = WAL');
  migrate(drizzle(sqlite), { migrationsFolder: migrations });
  const pair = generateKeyPairSync('ed25519');
  const publicKey = pair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  sqlite
    .prepare('insert into signing_keys (public_key, private_key, created_at) values (?, ?, ?)')
    .run(publicKey, pem, Date.now());
  sqlite.close();
  return { dataDir, publicKey, pem };
}

/** The PEM's base64 body: what a thief would look for in the database file, its WAL or shared memory. */
const pemBody = (pem: string) =>
  pem
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'))
    .join('');
function filesHolding(dataDir: string, needle: string): string[] {
  return fs
    .readdirSync(dataDir)
    .filter((f) => f.startsWith(DATABASE_FILE) && fs.readFileSync(path.join(dataDir, f)).includes(needle));
}

/** Starts the server in-process on the data dir and returns what it logged while starting. */
async function startupLog(dataDir: string): Promise<string> {
  let logged = '';
  const sink = new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) });
  const server = await startServer(
    parseServerConfig({ 'data-dir': dataDir, port: '0', host: '127.0.0.1' }, {}),
    pino({ level: 'info' }, sink),
  );
  await server.close();
  return logged;
}

describe('a database from before issue 11 that holds the release private key', () => {
  it(
    'keeps trusting its public key, warns at start, and export-legacy moves the key to a 0600 file and wipes every byte of it',
    { timeout: 120_000 },
    async () => {
      const { dataDir, publicKey, pem } = legacyDataDir();
      const db = openDatabase(dataDir); // migrates: the public key agents pinned stays trusted
      expect(db.$client.prepare('select public_key from release_keys').all()).toEqual([{ public_key: publicKey }]);
      db.$client.close();
      expect(filesHolding(dataDir, pemBody(pem)).length, 'the legacy database does hold the key').toBeGreaterThan(0);

      const warned = await startupLog(dataDir);
      expect(warned).toContain('SECURITY: this database holds the private key that signs agent updates');
      expect(warned).toContain('"level":50');

      const keyFile = path.join(path.dirname(dataDir), 'legacy-release.key');
      const exported = await santong(['release-key', 'export-legacy', '--out', keyFile, '--data-dir', dataDir], {
        umask: '000',
      });
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stdout).toContain(
        `release key ${releaseKeyFingerprint(publicKey)} moved to ${keyFile} (mode 0600)`,
      );
      expect(exported.stdout).toContain('backups taken before now still hold it');
      expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(keyFile, 'utf8')).toBe(pem);
      // Not in the database file, its WAL or its shared memory: secure_delete, VACUUM and a TRUNCATE checkpoint.
      expect(filesHolding(dataDir, pemBody(pem))).toEqual([]);
      expect(filesHolding(dataDir, 'PRIVATE KEY')).toEqual([]);

      const after = openDatabase(dataDir);
      expect(after.$client.prepare('select count(*) as n from signing_keys').get()).toEqual({ n: 0 });
      expect(
        after.$client
          .prepare("select actor, entity_id from audit_log where action = 'release-key.export-legacy'")
          .all(),
      ).toHaveLength(1);
      // The exported file signs releases the server accepts and agents that pinned the old key install.
      const bundle = Buffer.from('#!/usr/bin/env node\n// santong-agent 0.9.0\n');
      expect(
        (
          await publishAgentRelease(
            sqliteStore(after),
            bundle,
            signBundle(bundle, readReleaseKey(keyFile)),
            Date.now(),
            byTest,
          )
        ).signedBy,
      ).toBe(publicKey);
      after.$client.close();
      expect(await startupLog(dataDir)).not.toContain('SECURITY:');

      const rerun = await santong(['release-key', 'export-legacy', '--out', `${keyFile}.2`, '--data-dir', dataDir]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stdout).toContain('no release private key in this database');
      expect(fs.existsSync(`${keyFile}.2`)).toBe(false);
    },
  );
});
