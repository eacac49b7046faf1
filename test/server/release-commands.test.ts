import { spawnSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { executableVersionLine } from '../../shared/release-artifacts.ts';
import { releaseSignatureSchema } from '../../shared/schemas/release.ts';
import { releaseKeyFingerprint } from '../../shared/schemas/release-keys.ts';
import { runOfflineReleaseCommand, runPublishCommand, runReleaseKeyCommand } from '../../server/commands/releases.ts';
import { openStore } from '../../server/db/store.ts';
import { enrollDevice } from '../../server/enrollment/enroll.ts';
import { publicKeyText } from '../../server/releases/offline-keys.ts';
import { santong } from '../helpers/cli.ts';
import { byTest, createTestContext } from '../helpers/server.ts';

/*
 * The release holder's offline flow (issue 11): a key made on their machine, a bundle signed there, and
 * a server that only ever sees public keys and signatures.
 */
const dirs: string[] = [];
function tempDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-release-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const publicKeyIn = (lines: string) => /^public key:\s+(\S+)$/m.exec(lines)![1]!;
const mode = (file: string) => fs.statSync(file).mode & 0o777;
const bundleText = (version: string) => `#!/usr/bin/env node\n// santong-agent ${version}\nconsole.log(1)\n`;

describe('santong release (offline) and release-key (server)', () => {
  it(
    'through the command line: keygen writes a 0600 key whatever the umask, sign writes BUNDLE.sig, the server publishes only once it trusts the key',
    { timeout: 120_000 },
    async () => {
      const holder = tempDir(); // the release holder's machine
      const dataDir = path.join(tempDir(), 'data'); // the server's
      const keyFile = path.join(holder, 'release.key');

      const keygen = await santong(['release', 'keygen', '--out', keyFile], { umask: '000' });
      expect(keygen.code, keygen.stderr).toBe(0);
      expect(mode(keyFile)).toBe(0o600);
      const publicKey = publicKeyIn(keygen.stdout);
      expect(publicKeyText(createPrivateKey(fs.readFileSync(keyFile, 'utf8')))).toBe(publicKey);
      expect(keygen.stdout).toContain(`fingerprint: ${releaseKeyFingerprint(publicKey)}`);
      expect(fs.existsSync(dataDir), 'keygen touches no server data').toBe(false);

      const bundle = path.join(holder, 'santong-agent.mjs');
      fs.writeFileSync(bundle, bundleText('9.8.7'));
      const signed = await santong(['release', 'sign', bundle, '--key', keyFile]);
      expect(signed.code, signed.stderr).toBe(0);
      expect(releaseSignatureSchema.parse(JSON.parse(fs.readFileSync(`${bundle}.sig`, 'utf8')))).toMatchObject({
        version: '9.8.7',
        publicKey,
      });

      const untrusted = await santong(['agent-release', 'publish', bundle, '--data-dir', dataDir]);
      expect(untrusted.code).toBe(1);
      expect(untrusted.stderr).toContain('which this server does not trust (trusted: none yet)');
      expect((await santong(['release-key', 'add', publicKey, '--data-dir', dataDir])).code).toBe(0);
      const published = await santong(['agent-release', 'publish', bundle, '--data-dir', dataDir]);
      expect(published.code, published.stderr).toBe(0);
      expect(published.stdout).toMatch(
        /^agent 9\.8\.7 published: \d+ bytes, sha256 [0-9a-f]{64}, signed by [0-9a-f ]{24}$/m,
      );
    },
  );

  it('never overwrites a key file, refuses one others can read, and refuses a bundle changed after signing', async () => {
    const holder = tempDir();
    const store = await openStore({ dataDir: path.join(tempDir(), 'data') });
    const keyFile = path.join(holder, 'release.key');
    const publicKey = publicKeyIn(runOfflineReleaseCommand('keygen', undefined, { out: keyFile }).join('\n'));
    expect(() => runOfflineReleaseCommand('keygen', undefined, { out: keyFile })).toThrow(/never overwritten/);
    expect(publicKeyText(createPrivateKey(fs.readFileSync(keyFile, 'utf8')))).toBe(publicKey);

    const bundle = path.join(holder, 'santong-agent.mjs');
    fs.writeFileSync(bundle, bundleText('1.2.3'));
    fs.chmodSync(keyFile, 0o644);
    expect(() => runOfflineReleaseCommand('sign', bundle, { key: keyFile })).toThrow(
      /can be read by others \(mode 0644\): run `chmod 600/,
    );
    fs.chmodSync(keyFile, 0o600);
    runOfflineReleaseCommand('sign', bundle, { key: keyFile });
    await runReleaseKeyCommand(store, 'add', publicKey, {}, byTest, Date.now());
    fs.appendFileSync(bundle, '// changed after signing\n');
    await expect(runPublishCommand(store, bundle, {}, byTest, Date.now())).rejects.toThrow(
      /the signature is for other bytes/,
    );
    fs.rmSync(`${bundle}.sig`);
    await expect(runPublishCommand(store, bundle, {}, byTest, Date.now())).rejects.toThrow(
      /no signature at .*santong release sign/,
    );
    await store.close();
  });

  it('signs an executable and a .deb for the version their own bytes name, and never as a bundle to publish', async () => {
    const holder = tempDir();
    const store = await openStore({ dataDir: path.join(tempDir(), 'data') });
    const keyFile = path.join(holder, 'release.key');
    const publicKey = publicKeyIn(runOfflineReleaseCommand('keygen', undefined, { out: keyFile }).join('\n'));
    await runReleaseKeyCommand(store, 'add', publicKey, {}, byTest, Date.now());
    // An ELF whose injected main script names its version once, as agent/package/executable.ts writes it.
    const elf = (...lines: string[]) =>
      Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(2048), Buffer.from(lines.join(''))]);
    const executable = path.join(holder, 'santong-agent-linux-x64');
    fs.writeFileSync(executable, elf(`${executableVersionLine('2.3.4', 'linux-x64')}\n'use strict';\n`));
    expect(runOfflineReleaseCommand('sign', executable, { key: keyFile })[0]).toMatch(
      /^signed the agent's executable 2\.3\.4 \(sha256 [0-9a-f]{64}\) with key/,
    );
    expect(JSON.parse(fs.readFileSync(`${executable}.sig`, 'utf8'))).toMatchObject({ version: '2.3.4', publicKey });
    // Agents update from bundles only: an executable's signature publishes nothing.
    await expect(runPublishCommand(store, executable, {}, byTest, Date.now())).rejects.toThrow(
      /names itself no version/,
    );
    // Two lines naming versions: which one it is cannot be told, so it is not signed.
    fs.writeFileSync(
      executable,
      elf(`${executableVersionLine('2.3.4', 'linux-x64')}\n`, `${executableVersionLine('9.9.9', 'linux-x64')}\n`),
    );
    expect(() => runOfflineReleaseCommand('sign', executable, { key: keyFile })).toThrow(/the file names no version/);

    const deb = (name: string, version: string) => {
      const root = path.join(tempDir(), 'deb');
      fs.mkdirSync(path.join(root, 'DEBIAN'), { recursive: true });
      fs.writeFileSync(
        path.join(root, 'DEBIAN', 'control'),
        `Package: ${name}\nVersion: ${version}\nArchitecture: amd64\nMaintainer: t <t@t>\nDescription: t\n`,
      );
      const file = `${root}.deb`;
      const built = spawnSync('dpkg-deb', ['--no-uniform-compression', '-Zxz', '--build', root, file]);
      expect(built.status, String(built.stderr)).toBe(0);
      return file;
    };
    const ours = deb('santong-agent', '2.3.4');
    runOfflineReleaseCommand('sign', ours, { key: keyFile });
    expect(JSON.parse(fs.readFileSync(`${ours}.sig`, 'utf8'))).toMatchObject({ version: '2.3.4' });
    expect(() => runOfflineReleaseCommand('sign', deb('another-package', '2.3.4'), { key: keyFile })).toThrow(
      /the file names no version/,
    );
    await store.close();
  });

  it('rotates to a key the old one vouches for, and revokes a key with its own signature', async () => {
    const holder = tempDir();
    const ctx = await createTestContext();
    const store = ctx.store;
    const [oldKey, newKey] = [path.join(holder, 'old.key'), path.join(holder, 'new.key')];
    const oldPublic = publicKeyIn(runOfflineReleaseCommand('keygen', undefined, { out: oldKey }).join('\n'));
    const newPublic = publicKeyIn(runOfflineReleaseCommand('keygen', undefined, { out: newKey }).join('\n'));
    expect(await runReleaseKeyCommand(store, 'add', oldPublic, {}, byTest, Date.now())).toHaveLength(1);
    await enrollDevice(
      ctx.store,
      { token: await ctx.enrollmentToken('6229210001'), hostname: 'pc', hardware: {} },
      Date.now(),
    );
    // A second key added without a statement once PCs are enrolled: they do not trust it, and the command says so.
    const [bare, note] = await runReleaseKeyCommand(store, 'add', newPublic, {}, byTest, Date.now());
    expect(bare).toContain(`release key ${releaseKeyFingerprint(newPublic)} trusted`);
    expect(note).toContain('PCs enrolled before now do not trust this key');

    const statement = path.join(holder, 'rotation.json');
    runOfflineReleaseCommand('endorse', undefined, { key: oldKey, 'public-key': newPublic, out: statement });
    const [added] = await runReleaseKeyCommand(store, 'add', newPublic, { statement }, byTest, Date.now());
    expect(added).toContain(`vouched for by ${releaseKeyFingerprint(oldPublic)}`);
    const forged = path.join(holder, 'forged.json');
    fs.writeFileSync(
      forged,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(statement, 'utf8')), publicKey: oldPublic }),
    );
    await expect(
      runReleaseKeyCommand(store, 'add', oldPublic, { statement: forged }, byTest, Date.now()),
    ).rejects.toThrow(/signature does not verify/);

    const revocation = path.join(holder, 'revoke-old.json');
    runOfflineReleaseCommand('revoke', undefined, { key: oldKey, out: revocation });
    const revoked = await runReleaseKeyCommand(
      store,
      'revoke',
      undefined,
      { statement: revocation },
      byTest,
      Date.now(),
    );
    // The new key was vouched for by the old one only: PCs that pinned only the old key lose it too.
    expect(revoked[1]).toBe(
      'PCs enrolled before any rotation still trust: no key (they refuse every update until enrolled again)',
    );
    const listed = (await runReleaseKeyCommand(store, 'list', undefined, {}, byTest, Date.now())).join('\n');
    expect(listed).toMatch(new RegExp(`^${releaseKeyFingerprint(oldPublic)}  revoked `, 'm'));
    expect(listed).toMatch(
      new RegExp(
        `^${releaseKeyFingerprint(newPublic)}  trusted .* vouched for by ${releaseKeyFingerprint(oldPublic)}`,
        'm',
      ),
    );
    await ctx.cleanup();
  });
});
