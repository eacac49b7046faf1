import cron from 'node-cron';
import type { Logger } from '../log.ts';
import { runMaintenance, type MaintenanceTask } from './maintenance.ts';
import { CHINA_TIME_ZONE } from '../../shared/time/china-time.ts';

/**
 * Daily snapshots shortly after local midnight, and once at start-up so days the server was down are
 * backfilled. Taking a day twice is harmless: a recorded day is never rewritten. Runs on a worker
 * thread: recomputing a day from raw reports must not stall requests.
 */
export function startSnapshotJob(database: MaintenanceTask['database'], clock: () => number, logger: Logger) {
  const run = async () => {
    try {
      const { days } = await runMaintenance<{ days: string[] }>({
        database,
        task: 'snapshots',
        now: clock(),
        retentionDays: 0,
      });
      if (days.length > 0)
        logger.info({ days: days.length, first: days[0], last: days.at(-1) }, 'daily snapshots taken');
    } catch (error) {
      logger.error({ err: error }, 'daily snapshots failed');
    }
  };
  const startup = run();
  const task = cron.schedule('5 0 * * *', run, { name: 'daily-snapshots', timezone: CHINA_TIME_ZONE, noOverlap: true });
  return {
    stop: async () => {
      await task.stop();
      await startup;
    },
  };
}
