import { randomUUID } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report, type ReportInput } from '../../shared/schemas/report.ts';
import type { DemoSchool } from './world.ts';

/** A report as a PC's agent would have built it; `downMbps`: the speed test it ran, if any. */
export function lastReport(
  collectedAt: number,
  link: DemoSchool['link'],
  displays: ReportInput['displays'],
  downMbps: number | null,
): Report {
  const measured = link.reachable && downMbps !== null;
  return reportSchema.parse({
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: randomUUID(),
    collectedAt: new Date(collectedAt).toISOString(),
    agentVersion: '0.1.0',
    network: {
      interfaces: [{ name: '以太网', type: 'wired', up: true, speedMbps: 1000 }],
      internet: { reachable: link.reachable, latencyMs: link.reachable ? 40 : null, targets: [] },
      ...(measured
        ? {
            throughput: {
              downMbps: Math.round(downMbps * 100) / 100,
              upMbps: Math.round(downMbps * 30) / 100,
              measuredAt: new Date(collectedAt).toISOString(),
            },
          }
        : {}),
    },
    displays,
  });
}
