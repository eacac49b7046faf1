import cron from 'node-cron';
import type { Logger } from '../log.ts';
import { runMaintenance, type MaintenanceTask } from './maintenance.ts';
import { CHINA_TIME_ZONE } from '../../shared/time/china-time.ts';

/**
 * Folds reports past retention once a day at 03:30 China time, when schools are closed and ingest is
 * quiet, on a worker thread in small transactions.
 */
export function startRetentionJob(
  database: MaintenanceTask['database'],
  retentionDays: number,
  clock: () => number,
  logger: Logger,
) {
  return cron.schedule(
    '30 3 * * *',
    async () => {
      try {
        const { folded } = await runMaintenance<{ folded: number }>({
          database,
          task: 'retention',
          now: clock(),
          retentionDays,
        });
        if (folded > 0) logger.info({ folded, retentionDays }, 'reports past retention folded into daily rows');
      } catch (error) {
        logger.error({ err: error }, 'retention folding failed');
      }
    },
    { name: 'retention', timezone: CHINA_TIME_ZONE, noOverlap: true },
  );
}
