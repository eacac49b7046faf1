import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningUrls } from '../../server/http/listen-urls.ts';
import { santong, santongServe } from '../helpers/cli.ts';

/*
 * What `santong serve` (npm start) prints at start: where it listens, truthfully, and on a fresh data directory
 * what to do first, with the commands the login page shows (issue 18, items 8 and 12).
 */
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGTERM');
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** The server's output up to the log line of a request for /login: every start-up line comes before it. */
async function startUpOutput(dataDir: string): Promise<string> {
  const server = await santongServe(['--data-dir', dataDir]);
  children.push(server.child);
  await fetch(`${server.url}/login`);
  const logged = () => server.output().includes('"path":"/login"');
  if (!logged())
    await new Promise<void>((resolve) => {
      const check = () => logged() && (server.child.stdout!.off('data', check), resolve());
      server.child.stdout!.on('data', check);
    });
  server.child.kill('SIGTERM');
  return server.output().slice(0, server.output().indexOf('"path":"/login"'));
}

describe('start-up output', () => {
  it(
    'on a fresh data directory names the command for the first bureau account and for the roster, until each is done',
    {
      timeout: 180_000,
    },
    async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-first-run-'));
      dirs.push(dataDir);
      const fresh = await startUpOutput(dataDir);
      expect(fresh).toContain(
        `"msg":"no dashboard account yet: create the first bureau account with echo 'PASSPHRASE' | npm run -s santong -- user create --username NAME --role bureau --data-dir ${dataDir} (your passphrase for PASSPHRASE, a username for NAME), then sign in at http://127.0.0.1:`,
      );
      expect(fresh).toContain(
        `"msg":"no schools yet: import the roster (CSV or XLSX; its columns are in the README, a sample in docs/examples/schools.sample.csv) with npm run -s santong -- import-schools ROSTER.csv --data-dir ${dataDir}"`,
      );

      // The printed command works as printed (with a passphrase and a name of one's own).
      const created = await santong(
        ['user', 'create', '--username', 'wang', '--role', 'bureau', '--data-dir', dataDir],
        { stdin: 'a long passphrase\n' },
      );
      expect(created.code, created.stderr).toBe(0);
      const withAccount = await startUpOutput(dataDir);
      expect(withAccount).not.toContain('no dashboard account yet');
      expect(withAccount).toContain('no schools yet');

      expect((await santong(['import-schools', 'docs/examples/schools.sample.csv', '--data-dir', dataDir])).code).toBe(
        0,
      );
      const ready = await startUpOutput(dataDir);
      expect(ready).toContain('"msg":"santong server listening"');
      expect(ready).not.toContain('no dashboard account yet');
      expect(ready).not.toContain('no schools yet');
    },
  );

  it('logs the address it is bound to and the URLs that reach it', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'santong-listen-'));
    dirs.push(dataDir);
    const output = await startUpOutput(dataDir);
    const line = JSON.parse(output.split('\n').find((l) => l.includes('santong server listening'))!) as Record<
      string,
      unknown
    >;
    const port = new URL(line.url as string).port;
    expect(line).toMatchObject({
      address: `127.0.0.1:${port}`,
      urls: [`http://127.0.0.1:${port}`],
      url: `http://127.0.0.1:${port}`,
    });
  }, 60_000);

  it('bound to every address, names each of them, the loopback first (not a loopback URL alone)', () => {
    const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
      ({ address, family, internal, netmask: '', mac: '', cidr: null }) as os.NetworkInterfaceInfo;
    const interfaces = {
      eth0: [nic('10.1.2.3', 'IPv4'), nic('fe80::1', 'IPv6'), nic('2001:db8::5', 'IPv6')],
      lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
    };
    expect(listeningUrls('0.0.0.0', 8080, interfaces)).toEqual(['http://127.0.0.1:8080', 'http://10.1.2.3:8080']);
    expect(listeningUrls('::', 8080, interfaces)).toEqual([
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
      'http://10.1.2.3:8080',
      'http://[2001:db8::5]:8080',
    ]);
    expect(listeningUrls('192.168.1.9', 80, interfaces)).toEqual(['http://192.168.1.9:80']);
    expect(listeningUrls('0.0.0.0', 8080, {})).toEqual(['http://127.0.0.1:8080']);
  });
});
