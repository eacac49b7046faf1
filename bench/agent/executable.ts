/*
 * The executables' part of `npm run bench:agent -- --executable` (docs/decisions/170-agent-executables.md):
 * what each artifact weighs and why, and the time from download to the first acknowledged report on this
 * Linux, through the .deb, in a root made for it (bench/agent/deb-root.ts) with the real dpkg.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { buildDeb, DEB_UNIT_PATH } from '../../agent/package/deb.ts';
import { buildExecutable } from '../../agent/package/executable.ts';
import { debName, executableName } from '../../shared/release-artifacts.ts';
import { EXECUTABLE_TARGETS, nodeRuntime } from '../../agent/package/node-runtime.ts';
import { EXECUTABLE_NODE_OPTIONS } from '../../agent/service.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { debRootUnavailable, makeDebRoot } from './deb-root.ts';

export type ArtifactSize = { file: string; bytes: number; runtimeBytes?: number };
export type InstallTiming =
  | { skipped: string }
  | { commands: string[]; downloadSeconds: number; installSeconds: number; firstReportSeconds: number };

/**
 * Drops a file's pages from the page cache (written back first). A file just written with write() sits in the
 * cache in large folios, which a process mapping it gets whole (~20 MiB more resident for a fresh executable);
 * read back from disk, as after a reboot, it is paged in by readahead like any installed binary.
 */
export function evictFromPageCache(file: string): void {
  execFileSync('sync', [file]);
  execFileSync('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none']);
}

/** Builds every artifact of `npm run build:agent` from `bundle` into `dir`, as a release does; their sizes. */
export function buildArtifacts(bundle: string, dir: string): ArtifactSize[] {
  mkdirSync(dir, { recursive: true });
  const sizes: ArtifactSize[] = [{ file: 'santong-agent.mjs', bytes: statSync(bundle).size }];
  for (const target of EXECUTABLE_TARGETS) {
    const file = join(dir, executableName(target));
    const { bytes } = buildExecutable({ target, bundle, outfile: file, version: AGENT_VERSION });
    sizes.push({ file: executableName(target), bytes, runtimeBytes: statSync(nodeRuntime(target)).size });
  }
  const deb = join(dir, debName(AGENT_VERSION, 'amd64'));
  const { bytes } = buildDeb({
    executable: join(dir, executableName('linux-x64')),
    arch: 'amd64',
    version: AGENT_VERSION,
    outfile: deb,
  });
  sizes.push({ file: debName(AGENT_VERSION, 'amd64'), bytes });
  return sizes;
}

/**
 * The README's two commands on a fresh root: `curl` the .deb from a server on 127.0.0.1, then `dpkg -i` it with
 * SANTONG_SERVER and SANTONG_TOKEN (apt-get would call the same dpkg); the service is then started as systemd
 * would start it from postinst (its unit's ExecStart, Environment and User, chrooted), until `reports` says the
 * server acknowledged a report from the new device.
 */
export async function timeInstall(o: {
  dir: string;
  deb: string;
  server: string;
  token: string;
  reports: () => number;
}): Promise<InstallTiming> {
  const unavailable = debRootUnavailable();
  if (unavailable) return { skipped: unavailable };
  const root = makeDebRoot(o.dir);
  const site = createServer((_req, res) => res.end(readFileSync(o.deb)));
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/${debName(AGENT_VERSION, 'amd64')}`;
  const file = `/tmp/${debName(AGENT_VERSION, 'amd64')}`;
  const before = o.reports();
  try {
    const start = performance.now();
    await succeeded(root.run(['chroot', root.root, 'curl', '-fsSL', '-o', file, url]), 'curl');
    const downloaded = performance.now();
    const env = { ...process.env, SANTONG_SERVER: o.server, SANTONG_TOKEN: o.token, SANTONG_CLASSROOM: '1' };
    await succeeded(
      root.run(['dpkg', `--root=${root.root}`, '--log=/dev/null', '-i', `${root.root}${file}`], env),
      'dpkg -i',
    );
    const installed = performance.now();
    // The probes go to the bench's server, as in the rest of this bench: loopback only, no waiting on the internet.
    const config = root.file('etc/santong-agent/config.json');
    writeFileSync(
      config,
      JSON.stringify({ ...JSON.parse(readFileSync(config, 'utf8')), internetTargets: [`${o.server}/healthz`] }),
    );
    const unit = readFileSync(root.file(DEB_UNIT_PATH.slice(1)), 'utf8');
    const user = /^santong-agent:x:(\d+):(\d+):/m.exec(readFileSync(root.file('etc/passwd'), 'utf8'))!;
    const service = root.run([
      'chroot',
      `--userspec=${user[1]}:${user[2]}`,
      root.root,
      'env',
      '-i',
      'PATH=/usr/sbin:/usr/bin',
      ...[...unit.matchAll(/^Environment="?([^=]+)=(.*?)"?$/gm)].map((m) => `${m[1]}=${m[2]}`),
      .../^ExecStart=(.*)$/m.exec(unit)![1]!.split(' '),
    ]);
    service.stdout?.resume();
    service.stderr?.resume();
    while (o.reports() === before) await new Promise((r) => setTimeout(r, 20));
    const reported = performance.now();
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    return {
      commands: [
        `curl -fLO ${url.replace(/^http:\/\/127\.0\.0\.1:\d+/, 'https://…')}`,
        `sudo SANTONG_SERVER=… SANTONG_TOKEN=… SANTONG_CLASSROOM=1 apt-get install -y ./${debName(AGENT_VERSION, 'amd64')}`,
      ],
      downloadSeconds: (downloaded - start) / 1000,
      installSeconds: (installed - downloaded) / 1000,
      firstReportSeconds: (reported - installed) / 1000,
    };
  } finally {
    site.close();
  }
}

function succeeded(child: ChildProcess, what: string): Promise<void> {
  let stderr = '';
  child.stdout?.resume();
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${what} failed (${code}): ${stderr}`)))),
  );
}

const MiB = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

/** The "Agent executables" section of BENCHMARKS.md: sizes, the two commands and their seconds, memory. */
export function executableSection(o: {
  /** The memory and time table of the cycles run inside the executable. */
  table: string;
  /** Command, date, machine and `free -h`, as the footprint section writes them. */
  header: string;
  cycles: number;
  atHour: { rssBeforeGc: number; rss: number };
  bare: { rss: number };
  artifacts: ArtifactSize[];
  install: InstallTiming;
}): string {
  const sizes = o.artifacts.map(
    (a) =>
      `| ${a.file} | ${MiB(a.bytes)} MiB | ${a.runtimeBytes ? `Node's binary ${MiB(a.runtimeBytes)} MiB + blob ${((a.bytes - a.runtimeBytes) / 1024).toFixed(0)} KiB (launcher and bundle)` : a.file.endsWith('.deb') ? 'the linux-x64 executable, xz (dpkg-deb default level)' : 'the bundle alone'} |`,
  );
  const slow = (bytes: number, mbps: number) => ((bytes * 8) / (mbps * 1e6)).toFixed(0);
  const deb = o.artifacts.find((a) => a.file.endsWith('.deb'));
  const install =
    'skipped' in o.install
      ? `Not measured in this run: ${o.install.skipped}.`
      : `The two commands of the README, on a root made for the run (bench/agent/deb-root.ts: this machine's /usr under
an overlay, an empty dpkg database; no systemd, so the service is started as its unit says right after \`dpkg -i\`,
as postinst's \`systemctl restart\` would; the probes go to the bench's server on 127.0.0.1):

1. \`${o.install.commands[0]}\`: ${o.install.downloadSeconds.toFixed(1)} s over loopback; over a school link the
   ${deb ? MiB(deb.bytes) : '?'} MiB take ${deb ? slow(deb.bytes, 10) : '?'} s at 10 Mbps (the 2017 target) and ${deb ? slow(deb.bytes, 4) : '?'} s at 4 Mbps (a teaching point).
2. \`${o.install.commands[1]}\` (\`dpkg -i\` here, with the same environment): ${o.install.installSeconds.toFixed(1)} s to unpack,
   create the user and enroll; the first report acknowledged ${o.install.firstReportSeconds.toFixed(1)} s after the service started.

From download to the first acknowledged report: ${(o.install.downloadSeconds + o.install.installSeconds + o.install.firstReportSeconds).toFixed(1)} s here, plus the download time of the link.`;
  return `## Agent executables

${o.header.replace('`npm run bench:agent`', '`npm run bench:agent -- --executable`').trimEnd()}

What \`npm run build:agent\` builds for ${AGENT_VERSION}, built again by this run (docs/decisions/170-agent-executables.md):

| file | size | what it is |
|---|---|---|
${sizes.join('\n')}

Node's binaries are its official 20.20.2 builds, unchanged: V8, ICU with the data of every language (~30 MiB,
which \`Intl\` and Chinese collation need), OpenSSL, libuv, and on Linux ~12 MiB of debug information that \`strip\`
would remove (not done, decision 170). The blob adds the launcher and the bundle, ~0.9 MiB.

${install}

Memory: the cycles of the "Agent footprint" section (${o.cycles} full collection cycles against a real server), run
inside a linux-x64 executable built from the cycles driver and started as the executable's unit starts it
(\`NODE_OPTIONS=${EXECUTABLE_NODE_OPTIONS}\` plus \`--expose-gc\`, \`MALLOC_ARENA_MAX=2\`), its pages dropped from
the page cache first (\`dd iflag=nocache\`): a file just written, as postject or dpkg write it, is cached in large
folios that a process mapping it gets whole (65.6 MiB after the hour in a run without this step, 2026-12-03: file-
backed pages, shared and reclaimable) until the cache lets
them go or the PC restarts; read back from disk, the binary is paged in by readahead as \`/usr/bin/node\` is.
Against bare node with the service's flags measured in the same run: ${MiB(o.atHour.rssBeforeGc)} MiB after the hour against ${MiB(o.bare.rss)} MiB,
${(o.atHour.rssBeforeGc / o.bare.rss).toFixed(2)}× (goal ≤ 1.5×, as for the \`.mjs\`).

${o.table}
`;
}
