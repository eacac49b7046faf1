import { randomUUID } from 'node:crypto';
import { REPORT_SCHEMA_VERSION, reportSchema, type Report } from '../../shared/schemas/report.ts';
import type { DemoDisplay } from '../../server/demo/world.ts';
import { demoDisplays } from './classroom-displays.ts';
import type { Collector } from '../daemon.ts';
import { AGENT_VERSION } from '../version.ts';

export type SimulatedPc = {
  deviceId: string;
  school: { code: string; name: string };
  classroom: { code: string; name: string } | null;
  /** The school link as measured from here; downMbps 0 when the school is not connected. */
  link: { reachable: boolean; downMbps: number };
  display: DemoDisplay;
};

const SPEED_TEST_EVERY_MS = 6 * 3_600_000; // as the real agent: at most every 6 hours

/**
 * Synthetic collectors for one simulated classroom PC: its school's link with a little measurement
 * noise, its classroom's display, a Windows OPS PC's device facts. Reports are validated with the
 * wire schema, like the real collectors' reports.
 */
export function syntheticCollector(
  pc: SimulatedPc,
  now: () => number = Date.now,
  random: () => number = Math.random,
): Collector {
  let lastSpeedTestAt: number | undefined;
  const bootedAt = now() - Math.floor(random() * 8 * 3_600_000);
  const octet = Number.parseInt(pc.deviceId.slice(0, 2), 16);
  // Real EDID bytes through the agent's classifier, once: a classroom's display does not change under it.
  const displays = demoDisplays(pc.display, Number.parseInt(pc.deviceId.slice(0, 8), 16));
  return {
    displays: async () => displays,
    report: async ({ update }) => {
      const at = now();
      const latencyMs = pc.link.reachable
        ? Math.round((15 + random() * 60 + (pc.link.downMbps < 20 ? 80 : 0)) * 10) / 10
        : null;
      const targets = ['https://www.baidu.com/', 'https://www.qq.com/', 'https://www.smartedu.cn/'].map((target) =>
        pc.link.reachable
          ? { target, reachable: true, latencyMs }
          : { target, reachable: false, latencyMs: null, error: 'ENOTFOUND getaddrinfo ENOTFOUND' },
      );
      const speedTest =
        pc.link.reachable && (lastSpeedTestAt === undefined || at - lastSpeedTestAt >= SPEED_TEST_EVERY_MS);
      if (speedTest) lastSpeedTestAt = at;
      const noise = () => 0.85 + random() * 0.2;
      const report: Report = reportSchema.parse({
        schemaVersion: REPORT_SCHEMA_VERSION,
        id: randomUUID(),
        collectedAt: new Date(at).toISOString(),
        agentVersion: AGENT_VERSION,
        network: {
          interfaces: [
            {
              name: '以太网',
              type: 'wired',
              up: true,
              speedMbps: 1000,
              ipv4: [`10.${octet}.${Number(pc.classroom?.code ?? 0) % 250}.21`],
            },
          ],
          defaultGateway: `10.${octet}.0.1`,
          internet: { reachable: pc.link.reachable, latencyMs, targets },
          ...(speedTest
            ? {
                throughput: {
                  downMbps: Math.round(pc.link.downMbps * noise() * 100) / 100,
                  upMbps: Math.round(pc.link.downMbps * 0.3 * noise() * 100) / 100,
                  measuredAt: new Date(at).toISOString(),
                  bytesDown: 25_000_000,
                  bytesUp: 25_000_000,
                },
              }
            : {}),
        },
        displays,
        device: {
          hostname: `${pc.school.code}-${pc.classroom?.code ?? 'office'}-OPS`,
          os: { platform: 'win32', distro: 'Microsoft Windows 10 Education', release: '10.0.19045', arch: 'x64' },
          uptimeSeconds: Math.floor((at - bootedAt) / 1000),
        },
        ...(update ? { update } : {}),
      });
      return report;
    },
  };
}
