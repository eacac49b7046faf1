import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  artifactVersion,
  debName,
  executableName,
  WINDOWS_INSTALLER_NAME,
  type ArtifactVersion,
} from '../../shared/release-artifacts.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { releaseSignatureSchema, releaseSignatureValid, type ReleaseSignature } from '../../shared/schemas/release.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { trustedReleaseKeys } from './release-keys.ts';
import { latestAgentRelease } from './releases.ts';

/*
 * The agent's installers and executables a signed-in person (or a PC holding a school's enrollment token) can
 * download from the dashboard (issue 16 item 4, docs/decisions/183-agent-downloads-offered-signed.md). Only files
 * the release holder signed, with a key this server still trusts, are offered: `santong agent-release offer FILE`
 * checks a file and its FILE.sig and copies both into `<data-dir>/agent-downloads/`; the pages list what is there.
 */

/** The kinds of download, in the order the pages show them. */
export const DOWNLOAD_KINDS = [
  'windows-installer',
  'deb-amd64',
  'deb-arm64',
  'linux-x64',
  'linux-arm64',
  'win-x64',
] as const;
export type DownloadKind = (typeof DOWNLOAD_KINDS)[number];

const isPe = (bytes: Buffer) => bytes.subarray(0, 2).toString('latin1') === 'MZ';

/** Each kind's file name (a .deb's carries its version) and what its bytes must say they are. */
const KINDS: Record<
  DownloadKind,
  { name(version: string): string; fits(named: ArtifactVersion, bytes: Buffer): boolean }
> = {
  // The NSIS installer, which names its own version (kind `installer`, decision 182), or a Windows program whose
  // bytes show the win-x64 executable's version line (an uncompressed installer).
  'windows-installer': {
    name: () => WINDOWS_INSTALLER_NAME,
    fits: (named, bytes) =>
      isPe(bytes) && (named.kind === 'installer' || (named.kind === 'executable' && named.target === 'win-x64')),
  },
  'deb-amd64': { name: (v) => debName(v, 'amd64'), fits: (n) => n.kind === 'deb' && n.target === 'amd64' },
  'deb-arm64': { name: (v) => debName(v, 'arm64'), fits: (n) => n.kind === 'deb' && n.target === 'arm64' },
  'linux-x64': {
    name: () => executableName('linux-x64'),
    fits: (n) => n.kind === 'executable' && n.target === 'linux-x64',
  },
  'linux-arm64': {
    name: () => executableName('linux-arm64'),
    fits: (n) => n.kind === 'executable' && n.target === 'linux-arm64',
  },
  'win-x64': { name: () => executableName('win-x64'), fits: (n) => n.kind === 'executable' && n.target === 'win-x64' },
};

/** A file the server offers: what it is, its version, size and SHA-256 as signed, and the key that signed it. */
export interface OfferedDownload {
  kind: DownloadKind;
  fileName: string;
  version: string;
  size: number;
  sha256: string;
  /** The fingerprint of the release key that signed it. */
  signedBy: string;
  signature: ReleaseSignature;
}

/** Where a data directory keeps the offered files and their signature files. */
export function agentDownloadDir(dataDir: string): string {
  return path.join(dataDir, 'agent-downloads');
}

/** The command that makes a kind available, as the pages and the refusals name it. */
export function offerCommand(kind: DownloadKind, version = 'VERSION'): string {
  return `santong agent-release offer dist/${KINDS[kind].name(version)}`;
}

const kindNamed = (fileName: string, version: string) =>
  DOWNLOAD_KINDS.find((kind) => KINDS[kind].name(version) === fileName);

function readSignature(file: string): ReleaseSignature | null {
  try {
    const parsed = releaseSignatureSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * What `dir` offers now, one file per kind, in DOWNLOAD_KINDS order: each file with a signature file that
 * verifies by a key this server trusts. A key revoked since (`santong release-key revoke`) takes its files off
 * the pages at once. Only the signature is read here; the bytes are checked against it as they are served.
 */
export async function offeredAgentDownloads(store: Store, dir: string | undefined): Promise<OfferedDownload[]> {
  if (!dir || !fs.existsSync(dir)) return [];
  const trusted = new Set(await trustedReleaseKeys(store));
  const offered: OfferedDownload[] = [];
  for (const entry of fs.readdirSync(dir)) {
    if (!entry.endsWith('.sig')) continue;
    const fileName = entry.slice(0, -'.sig'.length);
    const signature = readSignature(path.join(dir, entry));
    const kind = signature && kindNamed(fileName, signature.version);
    if (!signature || !kind || !trusted.has(signature.publicKey) || !releaseSignatureValid(signature)) continue;
    const stat = fs.statSync(path.join(dir, fileName), { throwIfNoEntry: false });
    if (!stat?.isFile()) continue;
    offered.push({
      kind,
      fileName,
      version: signature.version,
      size: stat.size,
      sha256: signature.sha256,
      signedBy: releaseKeyFingerprint(signature.publicKey),
      signature,
    });
  }
  return offered.sort((a, b) => DOWNLOAD_KINDS.indexOf(a.kind) - DOWNLOAD_KINDS.indexOf(b.kind));
}

/** The offered file of that name with its path on disk, or a 404 naming what is offered. */
export async function offeredAgentDownload(store: Store, dir: string | undefined, fileName: string) {
  const offered = await offeredAgentDownloads(store, dir);
  const found = offered.find((d) => d.fileName === fileName);
  if (!found || !dir)
    throw new DomainError(
      'not-found',
      'download_unknown',
      `this server offers no file named ${fileName} (offered: ${offered.map((d) => d.fileName).join(', ') || 'none'})`,
    );
  return { ...found, path: path.join(dir, fileName) };
}

/**
 * Checks an artifact of `npm run build:agent` and the signature `santong release sign` wrote for it (the bytes
 * are the signed ones, the key is trusted, the bytes name the signed version and are the kind their name says),
 * then copies both into `dir`, replacing the kind's earlier file (a .deb of another version). Audited.
 */
export async function offerAgentDownload(
  store: Store,
  dir: string,
  file: string,
  signatureFile: string,
  now: number,
  audit: AuditSource,
): Promise<OfferedDownload & { replaced: string[] }> {
  if (!fs.existsSync(file)) throw new DomainError('not-found', 'file_missing', `no file at ${file}`);
  const signature = fs.existsSync(signatureFile) ? readSignature(signatureFile) : null;
  if (!signature)
    throw new DomainError(
      'not-found',
      'signature_missing',
      `no signature at ${signatureFile}: sign the file with \`santong release sign ${file} --key KEY_FILE\` on the key holder's machine`,
    );
  const fileName = path.basename(file);
  const kind = kindNamed(fileName, signature.version);
  if (!kind)
    throw new DomainError(
      'invalid',
      'download_name',
      `${fileName} is not an artifact the dashboard offers; the names of version ${signature.version} are ${DOWNLOAD_KINDS.map((k) => KINDS[k].name(signature.version)).join(', ')}`,
    );
  const bytes = fs.readFileSync(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== signature.sha256)
    throw new DomainError(
      'invalid',
      'signature_other_bytes',
      `${signatureFile} is for other bytes (sha256 ${signature.sha256}, ${fileName} ${sha256}): sign this file again`,
    );
  if (!releaseSignatureValid(signature))
    throw new DomainError('invalid', 'signature_invalid', 'the signature does not verify with the key it names');
  if (!(await trustedReleaseKeys(store)).includes(signature.publicKey))
    throw new DomainError(
      'invalid',
      'signature_untrusted',
      `signed by key ${releaseKeyFingerprint(signature.publicKey)}, which this server does not trust; add it with \`santong release-key add\``,
    );
  const named = artifactVersion(bytes);
  if (!named || named.version !== signature.version || !KINDS[kind].fits(named, bytes))
    throw new DomainError(
      'invalid',
      'download_kind',
      `${fileName} does not hold what its name says (its bytes name ${named ? `${named.kind} ${named.version}${named.target ? ` for ${named.target}` : ''}` : 'no version'}): offer the file npm run build:agent wrote under that name`,
    );

  fs.mkdirSync(dir, { recursive: true });
  const replaced = offeredFilesOfKind(dir, kind).filter((name) => name !== fileName);
  const place = (name: string, write: (to: string) => void) => {
    const partial = path.join(dir, `.${name}.partial`);
    write(partial);
    fs.renameSync(partial, path.join(dir, name));
  };
  place(fileName, (to) => fs.writeFileSync(to, bytes, { mode: 0o444 }));
  place(`${fileName}.sig`, (to) => fs.writeFileSync(to, `${JSON.stringify(signature, null, 2)}\n`));
  for (const name of replaced) for (const f of [`${name}.sig`, name]) fs.rmSync(path.join(dir, f), { force: true });
  const offered: OfferedDownload = {
    kind,
    fileName,
    version: signature.version,
    size: bytes.length,
    sha256,
    signedBy: releaseKeyFingerprint(signature.publicKey),
    signature,
  };
  const newValue = { kind, version: offered.version, size: offered.size, sha256, signedBy: offered.signedBy, replaced };
  await recordAudit(
    store,
    { ...audit, action: 'agent-download.offer', entityType: 'agent-download', entityId: fileName, newValue },
    now,
  );
  return { ...offered, replaced };
}

/** The files of `dir` that hold a kind, whatever their version. */
function offeredFilesOfKind(dir: string, kind: DownloadKind): string[] {
  return fs
    .readdirSync(dir)
    .filter((entry) => entry.endsWith('.sig'))
    .map((entry) => ({ fileName: entry.slice(0, -'.sig'.length), signature: readSignature(path.join(dir, entry)) }))
    .filter((f) => f.signature && kindNamed(f.fileName, f.signature.version) === kind)
    .map((f) => f.fileName);
}

/** What the install sections offer: the newest published bundle (santong-agent.mjs) and the offered files. */
export interface AgentOnOffer {
  bundle: { version: string; size: number; sha256: string; signed: boolean } | null;
  files: OfferedDownload[];
}

/** The newest published bundle and the files `dir` offers, as the school and enrollment pages show them. */
export async function agentOnOffer(store: Store, dir: string | undefined): Promise<AgentOnOffer> {
  const release = await latestAgentRelease(store);
  return {
    bundle: release
      ? { version: release.version, size: release.size, sha256: release.sha256, signed: release.signedBy !== null }
      : null,
    files: await offeredAgentDownloads(store, dir),
  };
}
