import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPORT_SCHEMA_VERSION, type Report } from '../../shared/schemas/report.ts';

/** A minimal valid report, as the agent would build it on a PC that reached the internet. */
export function makeReport(overrides: Partial<Report> = {}): Report {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: randomUUID(),
    collectedAt: new Date().toISOString(),
    agentVersion: '0.1.0-test',
    network: { interfaces: [], internet: { reachable: true, latencyMs: 12, targets: [] } },
    displays: [{ kind: 'projector', vendor: 'SEC', model: 'EPSON PJ' }],
    ...overrides,
  };
}

/** A fresh temp directory, removed by the returned function. */
export async function tempDir(prefix = 'santong-agent-'): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
