import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { displayKinds, type Report } from '../shared/schemas/report.ts';
import { isMissingFile, writeFileDurable } from './durable-file.ts';

/**
 * Why a report carries no speed figures: `not-asked` (`once` without --speed-test), `disabled` in the settings,
 * `outside-hours` (the service measures in school hours), `not-due` (measured within the last hours),
 * `no-slot` (another PC of the school is testing), `failed`.
 */
export const speedSkipReasons = ['not-asked', 'disabled', 'outside-hours', 'not-due', 'no-slot', 'failed'] as const;
export type SpeedSkipReason = (typeof speedSkipReasons)[number];

/**
 * What an IT teacher confirms on site, from one report: kept in the state dir after each report, because the
 * report itself leaves the outbox once the server acknowledged it. Read back through this schema (the file is input).
 */
export const reportSummarySchema = z.object({
  reportId: z.string(),
  collectedAt: z.string(),
  internet: z.object({ reachable: z.boolean(), latencyMs: z.number().nullable() }),
  speedTest: z.union([
    z.object({ downMbps: z.number().nullable(), upMbps: z.number().nullable(), measuredAt: z.string().nullable() }),
    z.object({ skipped: z.enum(speedSkipReasons) }),
  ]),
  displays: z.array(
    z.object({
      kind: z.enum(displayKinds),
      vendor: z.string().nullable(),
      model: z.string().nullable(),
      widthCm: z.number().nullable(),
      heightCm: z.number().nullable(),
    }),
  ),
});
export type ReportSummary = z.infer<typeof reportSummarySchema>;

/** The on-site facts of a report; `skipped` says why there is no speed test when the report has none. */
export function summariseReport(report: Report, skipped: SpeedSkipReason): ReportSummary {
  const t = report.network.throughput;
  return {
    reportId: report.id,
    collectedAt: report.collectedAt,
    internet: { reachable: report.network.internet.reachable, latencyMs: report.network.internet.latencyMs },
    speedTest: t ? { downMbps: t.downMbps, upMbps: t.upMbps, measuredAt: t.measuredAt ?? null } : { skipped },
    displays: report.displays.map((d) => ({
      kind: d.kind,
      vendor: d.vendor ?? null,
      model: d.model ?? null,
      widthCm: d.widthCm ?? null,
      heightCm: d.heightCm ?? null,
    })),
  };
}

const file = (stateDir: string) => join(stateDir, 'last-report.json');

/** Keeps the summary of the report just queued, for `status`. */
export async function recordLastReport(stateDir: string, summary: ReportSummary): Promise<void> {
  await writeFileDurable(file(stateDir), JSON.stringify(summary));
}

/** The summary of the latest report, or null before the first one (or when the file is unreadable). */
export async function readLastReport(stateDir: string): Promise<ReportSummary | null> {
  try {
    const parsed = reportSummarySchema.safeParse(JSON.parse(await readFile(file(stateDir), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch (error) {
    if (isMissingFile(error) || error instanceof SyntaxError) return null;
    throw error;
  }
}
