import cron from 'node-cron';
import type { Store } from '../db/store.ts';
import type { Logger } from '../log.ts';
import { runPlatformProbes } from '../programme/platform-probe.ts';

/**
 * Probes every platform's URL on a schedule, so "reachable" is measured, not declared. Every server sharing a
 * database runs the schedule; each platform's probe of one schedule instant is stored once (decision 191).
 */
export function startPlatformProbeJob(
  store: Store,
  options: { schedule: string; timeoutMs: number },
  clock: () => number,
  logger: Logger,
) {
  return cron.schedule(
    options.schedule,
    async (context) => {
      try {
        // The instant this run was scheduled for, the same on every server: what "probed this round" means.
        const round = Math.min(context.date.getTime(), clock());
        const results = await runPlatformProbes(store, { clock, timeoutMs: options.timeoutMs, round });
        const down = results.filter((r) => !r.result.up).length;
        if (results.length > 0) logger.info({ probed: results.length, down }, 'platform probes done');
      } catch (error) {
        logger.error({ err: error }, 'platform probes failed');
      }
    },
    { name: 'platform-probes', noOverlap: true },
  );
}
