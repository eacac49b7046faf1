import { serve, type ServerType } from '@hono/node-server';
import { firstRunSteps } from './accounts/first-run.ts';
import { createApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { openStore, storeLocation } from './db/store.ts';
import { startAgingJob } from './jobs/aging.ts';
import { startSnapshotJob } from './jobs/snapshots.ts';
import { startRetentionJob } from './jobs/retention.ts';
import { startPlatformProbeJob } from './jobs/platform-probes.ts';
import { listeningUrls } from './http/listen-urls.ts';
import { createLogger, type Logger } from './log.ts';
import { deploymentTree } from './divisions/deployment.ts';
import { WriterThread } from './ingest/writer-thread.ts';
import { ensureReferenceData } from './plan/plan.ts';
import { currentPlan } from './plan/current.ts';
import { legacyKeyWarning, legacyReleaseKeyPresent } from './releases/legacy-key.ts';
import { trustedReleaseKeys } from './releases/release-keys.ts';
import { agentDownloadDir } from './releases/agent-downloads.ts';
import { SERVER_VERSION } from './version.ts';

export interface RunningServer {
  url: string;
  logger: Logger;
  close(): Promise<void>;
}

/** parse config → open db → migrate → load reference data → start jobs → serve. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const clock = () => Date.now();
  const store = await openStore(storeLocation(config));
  if (await ensureReferenceData(store, clock(), config.root)) {
    const plan = await currentPlan(store);
    logger.info(
      `loaded reference data: ${plan.root.name} (${plan.root.code}), its division tree and the plan "${plan.name}"`,
    );
  }
  // Kept for every transaction to use until the division tree changes; a transaction cannot keep one it built
  // itself (server/divisions/deployment.ts), so an ingest-only start would re-read the whole tree in every commit.
  await deploymentTree(store);
  if (await legacyReleaseKeyPresent(store)) logger.error(legacyKeyWarning);
  else if ((await trustedReleaseKeys(store)).length === 0)
    logger.warn(
      'no release key trusted: PCs enrolled now will never update themselves (santong release keygen, then santong release-key add)',
    );
  const aging = startAgingJob(store, config.agingSchedule, clock, logger);
  // The maintenance worker opens a connection of its own: to the same file, or the same PostgreSQL URL.
  const maintained = storeLocation(config);
  const snapshots = startSnapshotJob(maintained, clock, logger);
  const retention = startRetentionJob(maintained, config.retentionDays, clock, logger);
  const probes = startPlatformProbeJob(
    store,
    { schedule: config.probeSchedule, timeoutMs: config.probeTimeoutMs },
    clock,
    logger,
  );
  // On SQLite, report batches commit on a thread of their own, so reads never wait behind a group commit (decision 200).
  const writer =
    store.dialect === 'sqlite'
      ? new WriterThread({ dataDir: config.dataDir, retentionDays: config.retentionDays }, (error) =>
          logger.error({ err: error }, 'the report writer thread stopped; the next batch starts it again'),
        )
      : undefined;
  const app = createApp({
    store,
    ...(writer ? { reportCommitter: writer } : {}),
    logger,
    clock,
    maxReportBodyBytes: config.maxReportBodyBytes,
    limits: config,
    retentionDays: config.retentionDays,
    publicDisclosure: config.publicDisclosure,
    trustProxy: config.trustProxy,
    httpsOnly: config.httpsOnly,
    dataDir: config.dataDir,
    agentDownloadDir: agentDownloadDir(config.dataDir),
    ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  // What the socket is bound to, and every URL that reaches it; `url` is the first, on this machine.
  const urls = listeningUrls(config.host, port);
  const url = urls[0]!;
  const bound = `${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  // The message stays fixed: scripts (the demo, the tests' helpers) find the URL by it.
  logger.info(
    { url, address: bound, urls, dataDir: config.dataDir, version: SERVER_VERSION },
    'santong server listening',
  );
  const firstRun = await firstRunSteps(store, config.dataDir);
  if (firstRun?.account)
    logger.warn(
      { command: firstRun.account },
      `no dashboard account yet: create the first bureau account with ${firstRun.account} (your passphrase for PASSPHRASE, a username for NAME), then sign in at ${url}/login`,
    );
  if (firstRun?.roster)
    logger.warn(
      { command: firstRun.roster },
      `no schools yet: import the roster (CSV or XLSX; its columns are in the README, a sample in docs/examples/schools.sample.csv) with ${firstRun.roster}`,
    );
  return {
    url,
    logger,
    close: async () => {
      await aging.stop();
      await snapshots.stop();
      await retention.stop();
      await probes.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writer?.close();
      await store.close();
    },
  };
}
