import path from 'node:path';
import pg from 'pg';
import { copySqliteToPostgres } from '../../server/db/sqlite-to-postgres.ts';
import type { LoadPlan, PhasePlan, PhaseResult } from '../harness/load-plan.ts';
import { postgresUrl, startPostgres } from '../harness/postgres.ts';
import { runLoad } from '../harness/run-load.ts';
import { startBenchServer, type BenchServer } from '../harness/server-process.ts';

/*
 * Issue 14's goals: ingest on PostgreSQL beside SQLite's, one `santong serve` and then two on the same database, the
 * same world (the run's working copy, copied across by the server's own migrate-to-postgres code), the same load
 * client and connections. PostgreSQL runs durable, as in production (fsync, synchronous_commit and
 * full_page_writes at their defaults, on). After each phase the reports stored are counted against the reports the
 * client was told were accepted: exactly once. Bytes per stored report are summed over every day's partition of
 * reports and the clamped_reports receipt table (decision 192).
 */

/** The PostgreSQL phases `--phases` can name: one server, then two sharing the database. */
export const POSTGRES_PHASES = { 'ingest-pg': 1, 'ingest-pg-2': 2 } as const;
export type PostgresPhase = keyof typeof POSTGRES_PHASES;

export interface PostgresStorage {
  /** Every partition of reports: heap, TOAST, indexes and their maps (pg_total_relation_size). */
  reportBytes: number;
  reportCount: number;
  partitions: number;
  clampedBytes: number;
  /** pg_database_size: the whole database, system catalogs included. */
  dbBytes: number;
}

export interface PostgresPhaseRun {
  name: PostgresPhase;
  servers: number;
  results: PhaseResult[];
  /** Reports in the database before and after the phase, and the reports the client was told were accepted. */
  before: number;
  after: number;
  acknowledged: number;
  /**
   * Transactions the database committed and rolled back during the phase (pg_stat_database): a transaction that lost a
   * serialization conflict is rolled back and run again (decision 186), so many rollbacks mean writers collide.
   */
  commits: number;
  rollbacks: number;
  peakRssBytes: number[];
}

export interface PostgresRun {
  /** The server's own durability settings (pg_settings), as it ran. */
  settings: string[];
  copyMs: number;
  /** Right after the copy, with the dead pages it leaves in reports_default. */
  asCopied: PostgresStorage;
  /** After the copy, those pages reclaimed (the rows SQLite held); and after the ingest phases. */
  copied: PostgresStorage;
  afterIngest: PostgresStorage;
  phases: PostgresPhaseRun[];
}

async function storageOf(client: pg.Client): Promise<PostgresStorage> {
  const one = async (sql: string) => Number((await client.query(sql)).rows[0].v);
  const parts = await client.query(
    `select count(*)::bigint as n, coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint as bytes
       from pg_inherits i where i.inhparent = 'reports'::regclass`,
  );
  return {
    reportBytes: Number(parts.rows[0].bytes) + (await one(`select pg_total_relation_size('reports')::bigint as v`)),
    reportCount: await one('select count(*)::bigint as v from reports'),
    partitions: Number(parts.rows[0].n),
    clampedBytes: await one(`select pg_total_relation_size('clamped_reports')::bigint as v`),
    dbBytes: await one('select pg_database_size(current_database())::bigint as v'),
  };
}

/**
 * Copies the working copy under `work` into a fresh durable PostgreSQL and runs each named phase's rounds against
 * one or two servers on it; everything started is stopped before returning.
 */
export async function measurePostgresIngest(options: {
  work: string;
  key: string;
  names: PostgresPhase[];
  phases: (name: PostgresPhase) => PhasePlan[];
  plan: Omit<LoadPlan, 'url' | 'phases' | 'ingestUrls'>;
  log: (line: string) => void;
  /** Another checkout whose server to run (as --server-root). */
  serverRoot?: string | undefined;
  /** What drives the load: the load process (runLoad) unless a caller (the harness's test) runs it in process. */
  load?: (plan: LoadPlan, dir: string) => Promise<PhaseResult[]>;
}): Promise<PostgresRun> {
  const { work, key, log } = options;
  const postgres = await startPostgres({ durable: true });
  try {
    const url = postgresUrl(await postgres.createDatabase());
    log(`${key}: PostgreSQL up (durable: its defaults), copying the working copy into it …`);
    const started = performance.now();
    const tables = await copySqliteToPostgres(work, url, Date.now());
    const copyMs = performance.now() - started;
    const differing = tables.filter((t) => t.sqlite !== t.postgres);
    if (differing.length > 0) throw new Error(`the copy differs in ${differing.map((t) => t.table).join(', ')}`);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const shown = await client.query(
        `select name, current_setting(name) as setting from pg_settings
          where name in ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_sync_method', 'shared_buffers')
          order by name`,
      );
      const durability = shown.rows.map((r: { name: string; setting: string }) => `${r.name}=${r.setting}`);
      // The copy writes every past day's reports into reports_default and then moves them into their own partitions
      // (decision 192), leaving the default partition's pages dead. A server whose partitions were made ahead never
      // has them, so they are measured and then reclaimed (VACUUM FULL of that partition only) before the figures.
      const asCopied = await storageOf(client);
      await client.query('vacuum full reports_default');
      const copied = await storageOf(client);
      log(`${key}: copied ${copied.reportCount.toLocaleString('en')} reports in ${(copyMs / 1000).toFixed(1)} s`);
      const count = async () => Number((await client.query('select count(*)::bigint as n from reports')).rows[0].n);
      const transactions = async () => {
        // The statistics collector reports with a delay; this snapshot is cleared so each read is fresh.
        await client.query('select pg_stat_clear_snapshot()');
        const row = (
          await client.query(
            'select xact_commit::bigint as c, xact_rollback::bigint as r from pg_stat_database where datname = current_database()',
          )
        ).rows[0];
        return { commits: Number(row.c), rollbacks: Number(row.r) };
      };
      const phases: PostgresPhaseRun[] = [];
      for (const name of options.names) {
        const servers: BenchServer[] = [];
        try {
          // Started side by side; each pushed as it comes up, so a failing start still stops the others.
          await Promise.all(
            Array.from({ length: POSTGRES_PHASES[name] }, async (_, i) => {
              const logFile = path.join(work, `server-pg-${i + 1}.log`);
              servers.push(
                await startBenchServer(work, {
                  logFile,
                  serverRoot: options.serverRoot,
                  env: { SANTONG_DATABASE_URL: url },
                }),
              );
            }),
          );
          // The first read after start, as on SQLite: any catch-up sweep runs before the load, not in it.
          for (const server of servers) {
            const first = await fetch(`${server.url}/api/v1/coverage`, {
              headers: { authorization: `Bearer ${options.plan.apiToken}` },
            });
            await first.text();
            if (first.status !== 200) throw new Error(`first coverage read on PostgreSQL answered ${first.status}`);
          }
          const before = await count();
          const started = await transactions();
          const results = await (options.load ?? runLoad)(
            {
              ...options.plan,
              url: servers[0]!.url,
              ingestUrls: servers.map((s) => s.url),
              phases: options.phases(name),
            },
            work,
          );
          const after = await count();
          const ended = await transactions();
          const acknowledged = results.flatMap((p) => p.streams).reduce((n, s) => n + s.reportsAcknowledged, 0);
          phases.push({
            name,
            servers: servers.length,
            results,
            before,
            after,
            acknowledged,
            commits: ended.commits - started.commits,
            rollbacks: ended.rollbacks - started.rollbacks,
            peakRssBytes: servers.map((s) => s.peakRss()),
          });
          log(
            `${key}: ${name}: ${servers.length} server(s); stored ${(after - before).toLocaleString('en')} new reports, ` +
              `acknowledged ${acknowledged.toLocaleString('en')}: ${after - before === acknowledged ? 'exactly once' : 'DIFFERENT'}; ` +
              `${ended.commits - started.commits} transactions committed, ${ended.rollbacks - started.rollbacks} rolled back`,
          );
        } finally {
          for (const server of servers) await server.stop();
        }
      }
      return { settings: durability, copyMs, asCopied, copied, afterIngest: await storageOf(client), phases };
    } finally {
      await client.end();
    }
  } finally {
    await postgres.stop();
  }
}
