import { join } from 'node:path';
import { recordDelivery } from './agent-state.ts';
import { collectReport } from './collect/report.ts';
import type { AgentContext } from './context.ts';
import { beijingTime, type AgentLang } from './lang.ts';
import { log } from './log.ts';
import { recordLastReport, summariseReport, type ReportSummary } from './report-summary.ts';
import { labelled, summaryLines } from './report-words.ts';
import { backoffMs, deliverOutbox } from './send.ts';
import { maybeMeasureThroughput } from './throughput-plan.ts';
import { wordsFor } from './words.ts';

/** What became of the report `once` collected: what a script reads from `once --json`. */
export type OnceDelivery =
  | { state: 'acknowledged'; accepted: number; duplicates: number }
  | { state: 'refused'; quarantineDir: string }
  | { state: 'unauthorized' | 'queued'; error: string; queued: number };

export type OnceResult = {
  server: string;
  school: { code: string; name: string };
  classroom: { code: string; name: string } | null;
  report: ReportSummary;
  delivery: OnceDelivery;
};

/**
 * One cycle: collect (with a speed test only when asked), queue, deliver with a few quick retries; the report
 * stays queued if not acknowledged. The summary is kept for `status`.
 */
export async function runOnce(
  ctx: AgentContext,
  o: { retries: number; speedTest: boolean; drmRoot?: string | undefined },
): Promise<OnceResult> {
  const speed = o.speedTest ? await maybeMeasureThroughput(ctx, Date.now, true) : { skipped: 'not-asked' as const };
  const report = await collectReport(ctx.config, ctx.dispatcher, Date.now, {
    throughput: 'measured' in speed ? speed.measured : undefined,
    drmRoot: o.drmRoot,
  });
  await ctx.outbox.add(report);
  const summary = summariseReport(report, 'skipped' in speed ? speed.skipped : 'failed');
  await recordLastReport(ctx.stateDir, summary);
  const facts = { server: ctx.config.serverUrl, school: ctx.config.school, classroom: ctx.config.classroom };
  for (let attempt = 0; ; attempt++) {
    const result = await deliverOutbox(ctx.outbox, ctx.target);
    await recordDelivery(ctx.stateDir, result, Date.now());
    const queued = async () => (await ctx.outbox.list()).length;
    if (result.state === 'done') {
      const quarantined = (await ctx.outbox.quarantined()).some((name) => name.includes(report.id));
      const delivery: OnceDelivery = quarantined
        ? { state: 'refused', quarantineDir: join(ctx.stateDir, 'quarantine') }
        : { state: 'acknowledged', accepted: result.accepted, duplicates: result.duplicates };
      return { ...facts, report: summary, delivery };
    }
    const error = result.error ?? result.state;
    if (result.state === 'unauthorized')
      return { ...facts, report: summary, delivery: { state: 'unauthorized', error, queued: await queued() } };
    if (attempt >= o.retries)
      return { ...facts, report: summary, delivery: { state: 'queued', error, queued: await queued() } };
    const wait = Math.min(60_000, Math.max(result.retryAfterMs ?? 0, backoffMs(attempt, Math.random, 5_000)));
    log('warn', 'delivery failed, retrying', { error, retryInSeconds: Math.round(wait / 1000) });
    await new Promise((r) => setTimeout(r, wait));
  }
}

/** The measured facts of `once` for the teacher at the PC, without the delivery line. */
export function formatOnceFacts(r: OnceResult, lang: AgentLang): string {
  const w = wordsFor(lang);
  const classroom = r.classroom ? `${r.classroom.name} (${r.classroom.code})` : w.noClassroom;
  return [
    labelled(w.label.report, `${r.report.reportId} · ${beijingTime(r.report.collectedAt, lang)}`),
    labelled(w.label.classroom, `${classroom} · ${r.school.name} (${r.school.code})`),
    ...summaryLines(r.report, lang),
    labelled(w.label.server, r.server),
  ].join('\n');
}

/** The delivery line: acknowledged, or why the report is still queued. */
export function formatOnceDelivery(d: OnceDelivery, lang: AgentLang): string {
  const w = wordsFor(lang);
  const text =
    d.state === 'acknowledged'
      ? w.acknowledged(d.accepted, d.duplicates)
      : d.state === 'refused'
        ? w.refused(d.quarantineDir)
        : d.state === 'unauthorized'
          ? w.unauthorized(d.error)
          : w.queued(d.error, d.queued);
  return labelled(w.label.delivery, text);
}
