import { randomUUID } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, type ReportInput } from '../../shared/schemas/report.ts';

/** A valid report as an agent would send it, with the parts a test cares about overridable. */
export function makeReport(options: {
  at: number | string;
  reachable?: boolean;
  downMbps?: number | null;
  upMbps?: number | null;
  displays?: ReportInput['displays'];
  id?: string;
}): ReportInput {
  const collectedAt = typeof options.at === 'string' ? options.at : new Date(options.at).toISOString();
  const throughput =
    options.downMbps === undefined ? undefined : { downMbps: options.downMbps, upMbps: options.upMbps ?? null };
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    id: options.id ?? randomUUID(),
    collectedAt,
    agentVersion: '0.1.0-test',
    network: {
      interfaces: [
        {
          name: 'eth0',
          type: 'wired',
          up: true,
          speedMbps: 1000,
          mac: '00:1a:2b:3c:4d:5e',
          ipv4: ['10.1.2.3'],
          ipv6: [],
        },
      ],
      internet: {
        reachable: options.reachable ?? true,
        latencyMs: options.reachable === false ? null : 23.5,
        targets: [],
      },
      ...(throughput ? { throughput } : {}),
    },
    displays: options.displays ?? [],
  };
}

export const projector = { kind: 'projector', vendor: 'EPS', model: 'EB-X41', connection: 'HDMI' } as const;
export const deskMonitor = { kind: 'monitor', vendor: 'DEL', model: 'P2419H', connection: 'DisplayPort' } as const;
