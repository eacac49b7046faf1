import cron from 'node-cron';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import { takeDailySnapshots } from '../programme/history.ts';

/**
 * Daily snapshots shortly after local midnight, and once at start-up so days the server was down are
 * backfilled. Taking a day twice is harmless: a recorded day is never rewritten.
 */
export function startSnapshotJob(db: Db, clock: () => number, logger: Logger) {
  const run = () => {
    try {
      const taken = takeDailySnapshots(db, clock());
      if (taken.length > 0) logger.info({ days: taken.length, first: taken[0], last: taken.at(-1) }, 'daily snapshots taken');
    } catch (error) {
      logger.error({ err: error }, 'daily snapshots failed');
    }
  };
  setImmediate(run);
  return cron.schedule('5 0 * * *', run, { name: 'daily-snapshots', timezone: 'Asia/Shanghai', noOverlap: true });
}
