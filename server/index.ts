import { serve, type ServerType } from '@hono/node-server';
import { createApp } from './app.ts';
import type { ServerConfig } from './config.ts';
import { openDatabase } from './db/client.ts';
import { startAgingJob } from './jobs/aging.ts';
import { startSnapshotJob } from './jobs/snapshots.ts';
import { startRetentionJob } from './jobs/retention.ts';
import { startPlatformProbeJob } from './jobs/platform-probes.ts';
import { createLogger, type Logger } from './log.ts';
import { ensureReferenceData } from './plan/plan.ts';
import { currentPlan } from './plan/current.ts';
import { legacyKeyWarning, legacyReleaseKeyPresent } from './releases/legacy-key.ts';
import { trustedReleaseKeys } from './releases/release-keys.ts';
import { SERVER_VERSION } from './version.ts';

export interface RunningServer {
  url: string;
  close(): Promise<void>;
}

/** parse config → open db → migrate → load reference data → start jobs → serve. */
export async function startServer(
  config: ServerConfig,
  logger: Logger = createLogger(config.logLevel),
): Promise<RunningServer> {
  const clock = () => Date.now();
  const db = openDatabase(config.dataDir);
  if (ensureReferenceData(db, clock(), config.root)) {
    const plan = currentPlan(db);
    logger.info(
      `loaded reference data: ${plan.root.name} (${plan.root.code}), its division tree and the plan "${plan.name}"`,
    );
  }
  if (legacyReleaseKeyPresent(db)) logger.error(legacyKeyWarning);
  else if (trustedReleaseKeys(db).length === 0)
    logger.warn(
      'no release key trusted: PCs enrolled now will never update themselves (santong release keygen, then santong release-key add)',
    );
  const aging = startAgingJob(db, config.agingSchedule, clock, logger);
  const snapshots = startSnapshotJob(db, clock, logger);
  const retention = startRetentionJob(db, config.retentionDays, clock, logger);
  const probes = startPlatformProbeJob(
    db,
    { schedule: config.probeSchedule, timeoutMs: config.probeTimeoutMs },
    clock,
    logger,
  );
  const app = createApp({
    db,
    logger,
    clock,
    maxReportBodyBytes: config.maxReportBodyBytes,
    limits: config,
    retentionDays: config.retentionDays,
    publicDisclosure: config.publicDisclosure,
    trustProxy: config.trustProxy,
    httpsOnly: config.httpsOnly,
  });
  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => resolve(s));
    s.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  logger.info({ url, dataDir: config.dataDir, version: SERVER_VERSION }, 'santong server listening');
  return {
    url,
    close: async () => {
      await aging.stop();
      await snapshots.stop();
      await retention.stop();
      await probes.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      db.$client.close();
    },
  };
}
