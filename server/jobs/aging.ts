import cron from 'node-cron';
import { sweepExpired } from '../coverage/evaluate.ts';
import { tryJobLock } from '../db/dialect.ts';
import type { Store } from '../db/store.ts';
import type { Logger } from '../log.ts';

/**
 * The aging sweep on a schedule: figures move on as evidence gets old even when no report arrives
 * (a school whose only PC went quiet stops counting as connected after the evidence window).
 */
export function startAgingJob(store: Store, schedule: string, clock: () => number, logger: Logger) {
  return cron.schedule(
    schedule,
    async () => {
      try {
        const now = clock();
        let evaluated = 0;
        // One chunk (one short transaction) at a time, yielding between them so requests interleave. Each chunk
        // holds the job's lock (decision 188): while another server sweeps, this one stops and leaves it the work.
        for (let step = await sweepChunk(store, now); step > 0; step = await sweepChunk(store, now)) {
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

/** One chunk of the sweep under the job's lock; the schools it re-evaluated, 0 when another server holds the lock. */
const sweepChunk = (store: Store, now: number) =>
  store.transaction(async (tx) => ((await tryJobLock(tx, 'aging')) ? sweepExpired(tx, now, 200, 1) : 0));
