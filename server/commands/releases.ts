import fs from 'node:fs';
import { artifactVersion } from '../../shared/release-artifacts.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { releaseSignatureSchema, type ReleaseSignature } from '../../shared/schemas/release.ts';
import type { AuditSource } from '../audit/audit.ts';
import { count } from 'drizzle-orm';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { exportLegacyReleaseKey, legacyReleaseKeyPresent } from '../releases/legacy-key.ts';
import { generateReleaseKey, keyStatement, readReleaseKey, signBundle } from '../releases/offline-keys.ts';
import { addReleaseKey, listReleaseKeys, parseKeyStatement, revokeReleaseKey } from '../releases/release-keys.ts';
import { publishAgentRelease } from '../releases/releases.ts';
import { agentDownloadDir, offerAgentDownload } from '../releases/agent-downloads.ts';
import { parseServerConfig } from '../config.ts';
import { cliActor, UsageError, withCommandStore, type Command } from './command-line.ts';

/*
 * The command line's edge for agent releases (docs/decisions/060-offline-release-keys.md).
 * `release …` runs on the release holder's machine and never opens a database; `release-key …` and
 * `agent-release publish` change what a server trusts and announces, and only ever see public keys.
 */

export type ReleaseFlags = Record<string, string | undefined>;

function need(flags: ReleaseFlags, name: string, what: string): string {
  const value = flags[name];
  if (!value) throw new DomainError('invalid', 'flag_missing', `--${name} is required: ${what}`);
  return value;
}

function readJson(file: string): unknown {
  if (!fs.existsSync(file)) throw new DomainError('not-found', 'file_missing', `no file at ${file}`);
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    throw new DomainError('invalid', 'file_invalid', `${file} is not JSON`);
  }
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

const keyLines = (publicKey: string, fingerprint: string) => [
  `public key:  ${publicKey}`,
  `fingerprint: ${fingerprint}`,
];

/** `santong release keygen|sign|endorse|revoke`: offline, on the key holder's machine. Returns the lines to print. */
export function runOfflineReleaseCommand(sub: string, arg: string | undefined, flags: ReleaseFlags): string[] {
  switch (sub) {
    case 'keygen': {
      const out = need(
        flags,
        'out',
        'the file to write the private key to (readable by you only; keep it off the server)',
      );
      const key = generateReleaseKey(out);
      return [
        `release key written to ${out} (mode 0600): keep it offline, back it up, never put it on the server`,
        ...keyLines(key.publicKey, key.fingerprint),
        'trust it on the server: santong release-key add PUBLIC_KEY (a first key), or with --statement from `santong release endorse` (a rotation)',
        'publish the fingerprint to the schools through a channel the server cannot change (a letter, a phone call): IT teachers compare it when they enroll',
      ];
    }
    case 'sign': {
      if (!arg || !fs.existsSync(arg))
        throw new DomainError(
          'invalid',
          'flag_missing',
          `release sign needs a file that exists (the bundle, an executable, a .deb or the Windows installer from npm run build:agent)${arg ? `: ${arg} not found` : ''}`,
        );
      const key = readReleaseKey(need(flags, 'key', 'the release key file'));
      const bytes = fs.readFileSync(arg);
      const signature = signBundle(bytes, key);
      const out = flags.out ?? `${arg}.sig`;
      writeJson(out, signature);
      const kind = artifactVersion(bytes)?.kind;
      return [
        `signed ${kind === 'bundle' ? 'agent' : `the agent's ${kind}`} ${signature.version} (sha256 ${signature.sha256}) with key ${key.fingerprint}: ${out}`,
        kind === 'bundle'
          ? `publish it: santong agent-release publish ${arg}`
          : `ship it with ${out} beside it; agents update from the signed bundle (santong-agent.mjs), which it carries`,
      ];
    }
    case 'endorse': {
      const key = readReleaseKey(need(flags, 'key', 'the file of a key the agents already trust'));
      const successor = need(flags, 'public-key', 'the new key, as `santong release keygen` printed it');
      const statement = keyStatement('trust', successor, key);
      const out = need(flags, 'out', 'the file to write the statement to');
      writeJson(out, statement);
      return [
        `${key.fingerprint} vouches for ${releaseKeyFingerprint(successor)}: ${out}`,
        `on the server: santong release-key add ${successor} --statement ${out}`,
      ];
    }
    case 'revoke': {
      const key = readReleaseKey(need(flags, 'key', 'the file of the key to revoke'));
      const out = need(flags, 'out', 'the file to write the revocation to');
      writeJson(out, keyStatement('revoke', key.publicKey, key));
      return [
        `revocation of key ${key.fingerprint} written to ${out}: once a server announces it, agents never trust this key again`,
        `on the server: santong release-key revoke --statement ${out}`,
      ];
    }
    default:
      throw new DomainError('invalid', 'unknown_command', `unknown command: release ${sub}`);
  }
}

/** `santong release-key add|revoke|list|export-legacy`: what the server trusts. Returns the lines to print. */
export async function runReleaseKeyCommand(
  store: Store,
  sub: string,
  arg: string | undefined,
  flags: ReleaseFlags,
  audit: AuditSource,
  now: number,
): Promise<string[]> {
  switch (sub) {
    case 'add': {
      if (!arg)
        throw new DomainError(
          'invalid',
          'flag_missing',
          'release-key add needs the PUBLIC_KEY `santong release keygen` printed',
        );
      const statement = flags.statement ? parseKeyStatement(readJson(flags.statement), flags.statement) : null;
      const [enrolled] = await store.q.select({ n: count() }).from(store.t.devices);
      const enrolledBefore = enrolled!.n > 0;
      const added = await addReleaseKey(store, arg, statement, now, audit);
      const lines = [
        `release key ${added.fingerprint} trusted${added.endorsedBy ? `, vouched for by ${added.endorsedBy}` : ''}`,
      ];
      if (!statement && enrolledBefore)
        lines.push(
          'note: PCs enrolled before now do not trust this key; to rotate, give --statement from `santong release endorse`',
        );
      return lines;
    }
    case 'revoke': {
      const file = need(flags, 'statement', 'the revocation `santong release revoke` wrote');
      const revoked = await revokeReleaseKey(store, parseKeyStatement(readJson(file), file), now, audit);
      return [
        `release key ${revoked.fingerprint} revoked; agents drop it at their next update check`,
        `PCs enrolled before any rotation still trust: ${revoked.stillTrusted.join(', ') || 'no key (they refuse every update until enrolled again)'}`,
      ];
    }
    case 'list': {
      const keys = await listReleaseKeys(store);
      const lines = keys.map(
        (k) =>
          `${k.fingerprint}  ${k.revokedAt === null ? 'trusted' : `revoked ${new Date(k.revokedAt).toISOString()}`}  added ${new Date(k.addedAt).toISOString()}${k.endorsedBy ? `  vouched for by ${releaseKeyFingerprint(k.endorsedBy)}` : ''}  ${k.publicKey}`,
      );
      if (keys.length === 0)
        lines.push(
          'no release key: PCs enroll without one and never update themselves; make one with `santong release keygen`',
        );
      if (await legacyReleaseKeyPresent(store))
        lines.push(
          'WARNING: this database still holds a release private key: run `santong release-key export-legacy --out FILE`',
        );
      return lines;
    }
    case 'export-legacy': {
      const out = need(
        flags,
        'out',
        'the file to move the private key to (readable by you only; keep it off the server)',
      );
      const { fingerprint } = await exportLegacyReleaseKey(store, out, now, audit);
      if (!fingerprint) return ['no release private key in this database; its free pages and WAL are wiped'];
      return [
        `release key ${fingerprint} moved to ${out} (mode 0600) and wiped from the database; agents keep trusting it`,
        'backups taken before now still hold it: destroy them, and if one may have left your hands, rotate (santong release keygen, endorse) and revoke this key',
      ];
    }
    default:
      throw new DomainError('invalid', 'unknown_command', `unknown command: release-key ${sub}`);
  }
}

/** `santong agent-release publish BUNDLE [--signature SIG]`: the bundle and its offline signature (BUNDLE.sig by default). */
export async function runPublishCommand(
  store: Store,
  file: string,
  flags: ReleaseFlags,
  audit: AuditSource,
  now: number,
): Promise<string[]> {
  if (!fs.existsSync(file)) throw new DomainError('not-found', 'file_missing', `no bundle at ${file}`);
  const sigFile = flags.signature ?? `${file}.sig`;
  if (!fs.existsSync(sigFile))
    throw new DomainError(
      'not-found',
      'signature_missing',
      `no signature at ${sigFile}: sign the bundle with \`santong release sign ${file} --key KEY_FILE\` on the key holder's machine`,
    );
  const parsed = releaseSignatureSchema.safeParse(readJson(sigFile));
  if (!parsed.success)
    throw new DomainError(
      'invalid',
      'signature_invalid',
      `${sigFile} is not a release signature as \`santong release sign\` writes it`,
    );
  const signed: ReleaseSignature = parsed.data;
  const release = await publishAgentRelease(store, fs.readFileSync(file), signed, now, audit);
  return [
    `agent ${release.version} published: ${release.size} bytes, sha256 ${release.sha256}, signed by ${releaseKeyFingerprint(signed.publicKey)}`,
    'offer the installer, the .debs and the executables on the dashboard: santong agent-release offer FILE, for each signed file of dist/',
  ];
}

/** `santong agent-release offer FILE [--signature SIG]`: a signed installer, .deb or executable, downloadable from the dashboard. */
export async function runOfferCommand(
  store: Store,
  dataDir: string,
  file: string,
  flags: ReleaseFlags,
  audit: AuditSource,
  now: number,
): Promise<string[]> {
  const dir = agentDownloadDir(dataDir);
  const offered = await offerAgentDownload(store, dir, file, flags.signature ?? `${file}.sig`, now, audit);
  return [
    `${offered.fileName} ${offered.version} offered on the dashboard: ${offered.size} bytes, sha256 ${offered.sha256}, signed by ${offered.signedBy} (${dir})`,
    ...offered.replaced.map((name) => `${name} is no longer offered`),
  ];
}

/** `santong release keygen|sign|endorse|revoke`: offline, on the release holder's machine. */
export const offlineReleaseCommand: Command = ({ flags, sub, arg, say }) => {
  runOfflineReleaseCommand(sub!, arg, flags).forEach(say);
  return 0;
};

/** `santong release-key add|revoke|list|export-legacy`: what this server trusts. */
export const releaseKeyCommand: Command = async ({ flags, sub, arg, now, say }) => {
  const audit = { actor: cliActor(), reason: flags.reason ?? `release-key ${sub}` };
  const lines = await withCommandStore(flags, (store) => runReleaseKeyCommand(store, sub!, arg, flags, audit, now));
  lines.forEach(say);
  return 0;
};

/** `santong agent-release publish BUNDLE`: enrolled agents update to it. */
export const agentReleasePublish: Command = async ({ flags, arg, now, say }) => {
  if (!arg) throw new UsageError('agent-release publish needs a bundle file');
  const audit = { actor: cliActor(), reason: flags.reason ?? `agent-release publish ${arg}` };
  const lines = await withCommandStore(flags, (store) => runPublishCommand(store, arg, flags, audit, now));
  lines.forEach(say);
  return 0;
};

/** `santong agent-release offer FILE`: signed-in people and PCs with an enrollment token can download it. */
export const agentReleaseOffer: Command = async ({ flags, arg, now, say }) => {
  if (!arg) throw new UsageError('agent-release offer needs a file of dist/ signed with `santong release sign`');
  const audit = { actor: cliActor(), reason: flags.reason ?? `agent-release offer ${arg}` };
  const { dataDir } = parseServerConfig(flags, process.env);
  const lines = await withCommandStore(flags, (store) => runOfferCommand(store, dataDir, arg, flags, audit, now));
  lines.forEach(say);
  return 0;
};
