import cron from 'node-cron';
import { legacyDb, type Store } from '../db/store.ts';
import type { Logger } from '../log.ts';
import { runPlatformProbes } from '../programme/platform-probe.ts';

/** Probes every platform's URL on a schedule, so "reachable" is measured, not declared. */
export function startPlatformProbeJob(
  store: Store,
  options: { schedule: string; timeoutMs: number },
  clock: () => number,
  logger: Logger,
) {
  return cron.schedule(
    options.schedule,
    async () => {
      try {
        const results = await runPlatformProbes(legacyDb(store, 'the platform probes'), {
          clock,
          timeoutMs: options.timeoutMs,
        });
        const down = results.filter((r) => !r.result.up).length;
        if (results.length > 0) logger.info({ probed: results.length, down }, 'platform probes done');
      } catch (error) {
        logger.error({ err: error }, 'platform probes failed');
      }
    },
    { name: 'platform-probes', noOverlap: true },
  );
}
