import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createUser } from '../../server/accounts/users.ts';
import { openStore } from '../../server/db/store.ts';
import { runAgent, spawnAgent } from '../agent/agent-process.ts';
import { santong } from '../helpers/cli.ts';
import { DashboardClient, PASSWORD } from '../helpers/dashboard.ts';
import { usePostgres } from '../helpers/postgres.ts';
import { makeReport } from '../helpers/reports.ts';
import {
  enrollDevices,
  ledgerAgainstDatabase,
  reportsOnPostgres,
  type SentBatch,
  type SimDevice,
} from './ingest-load.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { fastShutdown, startAgain } from './postgres-outage.ts';
import { seededRandom, type Random } from './seeded-random.ts';
import { killHard, prepareDataDir, spawnServer } from './server-process.ts';

/*
 * What a database restart does (issue 14 item 6, decision 197): one `santong serve` on PostgreSQL, simulated PCs
 * sending report batches and honouring Retry-After as the agent does, and the real agent. PostgreSQL is stopped
 * (fast shutdown) mid-ingest, kept down a few seconds and started again on the same data dir. While it is down
 * every answer that needs it is a quick 503 with Retry-After and code database_unavailable (ingest, enroll,
 * /healthz, a dashboard page), and the server stays up; the agent keeps its report queued and retries. Once it is
 * back, ingest resumes in the same server process, every acknowledged report is stored exactly once, and
 * `santong verify` is clean. Replay a failure with SANTONG_SEED=<printed seed>.
 */
const postgres = usePostgres();
const DEVICES = 8;
const DOWN_MS = 3_000;
// The aging sweep and the platform probes every two seconds, so they run while the database is down.
const jobsOften = { SANTONG_AGING_SCHEDULE: '*/2 * * * * *', SANTONG_PROBE_SCHEDULE: '*/2 * * * * *' };
const limitsOff = {
  SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR: '0',
  SANTONG_REPORTS_PER_IP_PER_MINUTE: '0',
  SANTONG_ENROLL_PER_IP_PER_MINUTE: '0',
};

interface Refusal {
  status: number;
  retryAfter: string | null;
  code: unknown;
  error: unknown;
  /** When the request was sent (performance.now()) and how long its answer took. */
  sentAt: number;
  ms: number;
}

/** Posts JSON and times the answer. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(120_000), // the agent's own limit (agent/send.ts)
  });
  const text = await response.text();
  return { response, text, sentAt: started, ms: performance.now() - started };
}

function refusalOf(answer: { response: Response; text: string; sentAt: number; ms: number }): Refusal {
  let json: { code?: unknown; error?: unknown } = {};
  try {
    json = JSON.parse(answer.text) as typeof json;
  } catch {
    // kept empty: the assertions name the status and the text
  }
  return {
    status: answer.response.status,
    retryAfter: answer.response.headers.get('retry-after'),
    code: json.code,
    error: json.error,
    sentAt: answer.sentAt,
    ms: Math.round(answer.ms),
  };
}

/**
 * Simulated PCs as the agent delivers: a batch keeps its ids until a 200; a 503 keeps it and waits at least the
 * Retry-After before sending it again. Anything else (a 500, a broken connection: the server died) is recorded
 * as unexpected and ends that PC's loop.
 */
function drive(url: string, devices: SimDevice[], random: Random) {
  const ledger: SentBatch[] = [];
  const unexpected: string[] = [];
  const refusals: Refusal[] = [];
  let acknowledgements = 0;
  let stopped = false;
  const loop = async (device: SimDevice) => {
    while (!stopped) {
      const now = Date.now();
      const reports = Array.from({ length: random.int(1, 20) }, () =>
        makeReport({ at: now - random.int(0, 86_400_000), reachable: random.next() < 0.85 }),
      );
      const entry: SentBatch = { deviceId: device.deviceId, reportIds: reports.map((r) => r.id!), acknowledged: false };
      ledger.push(entry);
      for (;;) {
        let answer;
        try {
          answer = await post(`${url}/api/v1/reports`, { reports }, { authorization: `Bearer ${device.deviceKey}` });
        } catch (error) {
          unexpected.push(`no answer: ${String(error)}`);
          return;
        }
        if (answer.response.status === 200) {
          entry.acknowledged = true;
          acknowledgements++;
          break;
        }
        const refusal = refusalOf(answer);
        if (refusal.status !== 503) {
          unexpected.push(`${refusal.status} ${answer.text.slice(0, 300)}`);
          return;
        }
        refusals.push(refusal);
        // At least the Retry-After, spread out as the agent's back-off spreads a county's PCs (agent/send.ts).
        await new Promise((r) => setTimeout(r, Number(refusal.retryAfter ?? 1) * 1000 + random.int(0, 2_000)));
      }
    }
  };
  const done = Promise.all(devices.map(loop));
  return {
    ledger,
    unexpected,
    refusals,
    acknowledgements: () => acknowledgements,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

describe('a PostgreSQL restart under a running santong server', () => {
  it(
    'answers 503 with Retry-After while the database is down, stays up, and resumes with every acknowledged report stored once',
    { timeout: 240_000 },
    async () => {
      const started = performance.now();
      const config = await postgres().createDatabase();
      const { host, port, user, database } = config;
      const databaseUrl = `postgresql://${user}@${encodeURIComponent(host!)}:${port}/${database}`;
      const prepared = await prepareDataDir('santong-pg-restart-', databaseUrl);
      onTestFinished(() => prepared.remove());
      const setup = await openStore({ databaseUrl });
      await createUser(setup, { username: 'bureau', password: PASSWORD, role: 'bureau' }, Date.now(), {
        actor: 'test',
        reason: 'test account',
      });
      await setup.close();

      const random = seededRandom();
      const server = spawnServer(prepared.dataDir, { ...limitsOff, ...jobsOften, SANTONG_DATABASE_URL: databaseUrl });
      onTestFinished(() => killHard(server));
      onTestFinished(({ task }) => {
        if (task.result?.state === 'fail') console.log(`santong serve's log, last part:\n${server.tail()}`);
      });
      const url = await server.listening;
      const devices = await enrollDevices(url, prepared.tokens, DEVICES);
      const dashboard = DashboardClient.forUrl(url);
      await dashboard.signIn('bureau');
      expect((await dashboard.get('/')).status).toBe(200);

      const agentDir = await mkdtemp(path.join(os.tmpdir(), 'santong-pg-restart-agent-'));
      onTestFinished(() => rm(agentDir, { recursive: true, force: true }));
      const agentConfig = path.join(agentDir, 'config.json');
      const schoolToken = [...prepared.tokens.values()][0]!;
      const enrolled = await runAgent([
        'enroll',
        ...['--server', url, '--token', schoolToken, '--target', `${url}/healthz`, '--config', agentConfig],
      ]);
      expect(enrolled.code, enrolled.stderr).toBe(0);
      const agentDeviceId = (JSON.parse(await readFile(agentConfig, 'utf8')) as { deviceId: string }).deviceId;

      const load = drive(url, devices, random);
      await waitFor(
        () => load.acknowledgements() >= 40,
        `acknowledgements before the restart (seed ${random.seed})`,
        60_000,
      );

      // Down: a fast shutdown ends every session mid-ingest.
      const ackedBeforeDown = load.acknowledgements();
      await fastShutdown(config);
      const downAt = performance.now();

      const reportRefused = refusalOf(
        await post(
          `${url}/api/v1/reports`,
          { reports: [makeReport({ at: Date.now() })] },
          {
            authorization: `Bearer ${devices[0]!.deviceKey}`,
          },
        ),
      );
      const enrollRefused = refusalOf(
        await post(`${url}/api/v1/enroll`, {
          token: schoolToken,
          hostname: 'pc-in-outage',
          hardware: { uuid: 'outage-1' },
        }),
      );
      const healthStarted = performance.now();
      const health = await fetch(`${url}/healthz`);
      const healthRefused = refusalOf({
        response: health,
        text: await health.text(),
        sentAt: healthStarted,
        ms: performance.now() - healthStarted,
      });
      const page = await dashboard.get('/');

      // The real agent during the outage: its report is queued, its delivery refused with 503, and it waits to retry.
      const agent = spawnAgent(['once', '--json', '--retries', '8', '--config', agentConfig]);
      onTestFinished(() => void agent.kill('SIGKILL'));
      await waitFor(
        () => /delivery failed, retrying.*HTTP 503 database_unavailable/.test(agent.output().stderr),
        `the agent to be refused with 503 and wait to retry:\n${agent.output().stderr}`,
        60_000,
      );
      await waitFor(() => load.refusals.length > 0, 'a simulated PC to be refused', 30_000);
      // The scheduled jobs fail, say so in the log, and wait for their next run: they do not end the process.
      await waitFor(
        () => /aging sweep failed/.test(server.tail()) && /platform probes failed/.test(server.tail()),
        `the jobs to run into the outage:\n${server.tail()}`,
        30_000,
      );
      expect(server.child.exitCode, server.tail()).toBeNull();

      // Kept down a few seconds, then started again on the same data dir; santong is not restarted.
      while (performance.now() - downAt < DOWN_MS) await new Promise((r) => setTimeout(r, 50));
      const restarted = await startAgain(config);
      onTestFinished(() => restarted.stop());
      const outageMs = Math.round(performance.now() - downAt);
      const ackedAtRestart = load.acknowledgements();

      await waitFor(
        () => load.acknowledgements() >= ackedAtRestart + 40,
        `ingest to resume after the restart (seed ${random.seed}):\n${server.tail()}`,
        60_000,
      );
      const agentDone = await new Promise<ReturnType<typeof agent.output>>((resolve) => {
        if (agent.exitCode !== null) resolve(agent.output());
        else agent.once('close', () => resolve(agent.output()));
      });
      await load.stop();
      const healthAfter = await fetch(`${url}/healthz`);
      const pageAfter = await dashboard.get('/');
      expect(server.child.exitCode, server.tail()).toBeNull();
      await killHard(server);

      const { rowsOf, stored: storedReports } = reportsOnPostgres(databaseUrl);
      const stored = await storedReports();
      const { acknowledged, found, halfWritten, expectedRows, lost } = await ledgerAgainstDatabase(load.ledger, rowsOf);
      const agentResult = JSON.parse(agentDone.stdout) as {
        report: { reportId: string };
        delivery: { state: string };
      };
      const agentRows = await rowsOf(agentResult.report.reportId, agentDeviceId);
      const verify = await santong(['verify', '--database-url', databaseUrl, '--data-dir', prepared.dataDir]);

      const refusals = [reportRefused, enrollRefused, healthRefused, ...load.refusals];
      const figures = {
        seed: random.seed,
        devices: DEVICES,
        batches: load.ledger.length,
        acknowledged,
        found,
        stored,
        halfWritten,
        ackedBeforeDown,
        ackedAtRestart,
        refusedWhileDown: load.refusals.length,
        slowestRefusalSentWhileDownMs: Math.max(...refusals.filter((r) => r.sentAt >= downAt).map((r) => r.ms)),
        outageMs,
        seconds: Math.round((performance.now() - started) / 1000),
      };
      console.log(`postgres-restart: ${JSON.stringify(figures)}`);

      // While down: clear, quick 503s that say what to do; the server process stays up.
      for (const refusal of refusals) {
        expect(refusal).toMatchObject({ status: 503, retryAfter: '5', code: 'database_unavailable' });
        expect(refusal.error).toMatch(/database is unreachable.*retry/);
        // A request sent once the database is gone is refused at once. One in flight at the shutdown may have
        // waited longer, in a serialization retry's back-off before it (decision 186), and is not timed here.
        if (refusal.sentAt >= downAt) expect(refusal.ms, 'a refusal is quick, not a hang').toBeLessThan(2_000);
      }
      expect(page.status).toBe(503);
      expect(page.headers.get('retry-after')).toBe('5');
      expect(page.text).toContain('暂时无法连接数据库');
      // The agent kept its report through the outage and delivered it once the database was back.
      expect(agentDone.code, agentDone.stderr).toBe(0);
      expect(agentResult.delivery.state).toBe('acknowledged');
      expect(agentRows).toBe(1);
      // Back: the same process serves again, and nothing acknowledged was lost or stored twice.
      expect(healthAfter.status).toBe(200);
      expect(pageAfter.status).toBe(200);
      expect(load.unexpected, `seed ${random.seed}`).toEqual([]);
      expect(lost, `seed ${random.seed}`).toEqual([]);
      expect(found).toBe(acknowledged);
      expect(halfWritten).toBe(0);
      expect(stored, 'no report stored twice or unknown to the ledger').toBe(expectedRows + agentRows);
      expect(verify.code, `${verify.stdout}${verify.stderr}`).toBe(0);
    },
  );
});
