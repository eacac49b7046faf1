/**
 * How server/db/report-dictionary-1.txt was made (decision 181), kept so a second dictionary can be made the
 * same way. The dictionary is never edited: bodies stored with it must inflate for ever. A new one is a new
 * file and a new tag byte in server/db/report-body.ts.
 *
 * Usage: node --import tsx bench/world/report-dictionary.ts > server/db/report-dictionary-2.txt
 *
 * It strings together reports as the agent writes them, least typical first, since deflate codes nearer
 * matches in fewer bits: one collected by the real agent's collectors on the machine that runs this (its
 * interfaces and OS; reachability probes and displays added in the agent's own shapes), then the demo fleet's
 * Windows classroom PCs with real EDID bytes through the agent's classifier for three display profiles, then
 * the bench world's Windows report for each presentation kind. Values that differ per report (ids, times,
 * serials) stay in: their common prefixes and the keys around them are what deflate finds.
 */
import { collectDevice } from '../../agent/collect/device.ts';
import { collectNetwork } from '../../agent/collect/network.ts';
import { syntheticCollector } from '../../agent/demo/synthetic.ts';
import { defaultInternetTargets } from '../../agent/config.ts';
import type { DemoDisplay } from '../../server/demo/world.ts';
import { seededRandom } from '../../server/demo/seeded-random.ts';
import { REPORT_SCHEMA_VERSION, reportSchema } from '../../shared/schemas/report.ts';
import { AGENT_VERSION } from '../../agent/version.ts';
import { reportJson } from './synthetic.ts';

const at = Date.parse('2026-12-03T02:10:00.000Z');
const parts: string[] = [];

const network = await collectNetwork(undefined as never, { internet: [], extra: [] });
const latencies = [23, 29, 34];
const linux = reportSchema.parse({
  schemaVersion: REPORT_SCHEMA_VERSION,
  id: '3f1c2a9e-8b7d-4c61-9e2f-0a5b6c7d8e9f',
  collectedAt: new Date(at).toISOString(),
  agentVersion: AGENT_VERSION,
  network: {
    ...network,
    internet: {
      reachable: true,
      latencyMs: latencies[0],
      targets: defaultInternetTargets.map((target, i) => ({ target, reachable: true, latencyMs: latencies[i] })),
    },
  },
  displays: [],
  device: await collectDevice(),
});
parts.push(JSON.stringify(linux));

const random = seededRandom(181);
// Three profiles, the most common last; the others are left out so that their reports measure how well it
// does on displays it has not seen (decision 181).
const profiles: DemoDisplay[] = ['tv', 'seewo-panel', 'epson-projector'];
for (const [i, display] of profiles.entries()) {
  const pc = {
    deviceId: `${(0x1a + i).toString(16)}c4e2d1-7a3b-4f5e-8d9c-0b1a2c3d4e5f`,
    school: { code: `62292100${10 + i}`, name: 'school' },
    classroom: { code: `${101 + i}`, name: 'classroom' },
    link: i % 4 === 3 ? { reachable: false, downMbps: 0 } : { reachable: true, downMbps: 100 + 20 * i },
    display,
  };
  const collector = syntheticCollector(pc, () => at + i * 3_600_000, random);
  parts.push(JSON.stringify(await collector.report({})));
}

const kinds = ['none', 'large-display', 'interactive-panel', 'projector'] as const;
kinds.forEach((kind, i) => {
  parts.push(
    reportJson({
      id: `0b9e${i}d7c-2f4a-4e1b-9c8d-7e6f5a4b3c2d`,
      collectedAt: at + i * 600_000,
      reachable: i !== 0,
      latencyMs: i === 0 ? null : 20 + i,
      downMbps: i === 3 ? 96.4 : null,
      upMbps: i === 3 ? 28.9 : null,
      presentation: kind === 'none' ? null : kind,
      deviceIndex: 40_000 + i,
    }),
  );
});

process.stdout.write(parts.join('\n'));
