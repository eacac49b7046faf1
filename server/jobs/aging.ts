import cron from 'node-cron';
import type { Db } from '../db/client.ts';
import { sweepExpired } from '../coverage/evaluate.ts';
import type { Logger } from '../log.ts';

/**
 * The aging sweep on a schedule: figures move on as evidence gets old even when no report arrives
 * (a school whose only PC went quiet stops counting as connected after the evidence window).
 */
export function startAgingJob(db: Db, schedule: string, clock: () => number, logger: Logger) {
  return cron.schedule(
    schedule,
    async () => {
      try {
        const now = clock();
        let evaluated = 0;
        // One chunk (one short transaction) at a time, yielding between them so requests interleave.
        for (let step = sweepExpired(db, now, 200, 1); step > 0; step = sweepExpired(db, now, 200, 1)) {
          evaluated += step;
          await new Promise((resolve) => setImmediate(resolve));
        }
        if (evaluated > 0) logger.info({ evaluated }, 'aging sweep re-evaluated schools');
      } catch (error) {
        logger.error({ err: error }, 'aging sweep failed');
      }
    },
    { name: 'aging-sweep', noOverlap: true },
  );
}
