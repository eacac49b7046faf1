import { randomUUID } from 'node:crypto';
import type { Dispatcher } from '../http.ts';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report } from '../../shared/schemas/report.ts';
import type { AgentConfig } from '../config.ts';
import { AGENT_VERSION } from '../version.ts';
import { collectDevice } from './device.ts';
import type { Display } from './display-list.ts';
import { collectDisplays } from './displays.ts';
import { collectNetwork } from './network.ts';
import type { Throughput } from './throughput.ts';

/** Collects one report and validates it with the wire schema, so the agent never queues what the server would refuse. */
export async function collectReport(
  config: AgentConfig,
  dispatcher: Dispatcher,
  now: () => number = Date.now,
  extra: {
    drmRoot?: string | undefined;
    displays?: Display[] | undefined;
    throughput?: Throughput | undefined;
    update?: Report['update'];
  } = {},
): Promise<Report> {
  const collectedAt = new Date(now()).toISOString();
  const [network, displays, device] = await Promise.all([
    collectNetwork(dispatcher, { internet: config.internetTargets, extra: config.extraTargets }),
    // The daemon has just listed the displays for this tick's change check; listing them twice costs child processes on Windows.
    extra.displays ?? collectDisplays(extra.drmRoot),
    collectDevice(),
  ]);
  return reportSchema.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: randomUUID(),
    collectedAt,
    agentVersion: AGENT_VERSION,
    network: extra.throughput ? { ...network, throughput: extra.throughput } : network,
    displays,
    device,
    ...(extra.update ? { update: extra.update } : {}),
  });
}
