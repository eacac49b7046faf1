import { readDeliveryState } from './agent-state.ts';
import type { AgentContext } from './context.ts';
import { beijingTime, type AgentLang } from './lang.ts';
import { readLastReport } from './report-summary.ts';
import { labelled, summaryLines } from './report-words.ts';
import { AGENT_VERSION } from './version.ts';
import { readNextRunAt } from './schedule.ts';
import { wordsFor } from './words.ts';
import { join } from 'node:path';

/**
 * What `status` prints: enrollment, queue, drops, quarantine, last delivery, the latest report's facts and the
 * next report. Never the key. `nextReportAt` is ISO 8601, or null before the service ever ran (it then reports
 * at its next start).
 */
export async function agentStatus(ctx: AgentContext) {
  const entries = await ctx.outbox.list();
  const nextRunAt = await readNextRunAt(join(ctx.stateDir, 'schedule.json'));
  const delivery = await readDeliveryState(ctx.stateDir);
  return {
    agentVersion: AGENT_VERSION,
    server: ctx.config.serverUrl,
    deviceId: ctx.config.deviceId,
    school: ctx.config.school,
    classroom: ctx.config.classroom,
    configPath: ctx.configPath,
    stateDir: ctx.stateDir,
    queued: entries.length,
    queuedBytes: entries.reduce((s, e) => s + e.bytes, 0),
    droppedNotYetReported: ctx.outbox.droppedCount,
    quarantined: (await ctx.outbox.quarantined()).length,
    ...delivery,
    latestReport: await readLastReport(ctx.stateDir),
    nextReportAt: nextRunAt ? new Date(nextRunAt).toISOString() : null,
  };
}

/** The status as lines for a person at a terminal, times in Beijing time. */
export function formatStatus(s: Awaited<ReturnType<typeof agentStatus>>, lang: AgentLang): string {
  const w = wordsFor(lang);
  const time = (at: string | undefined) => (at ? beijingTime(at, lang) : w.never);
  const where = `${s.school.name} (${s.school.code})${s.classroom ? `, ${s.classroom.name} (${s.classroom.code})` : ''}`;
  const attempt = s.lastAttemptAt
    ? w.attempt(time(s.lastAttemptAt), s.lastResult ? w.lastResult[s.lastResult] : '-', s.lastError)
    : w.none;
  const latest = s.latestReport
    ? [
        labelled(w.label.latest, `${s.latestReport.reportId} · ${beijingTime(s.latestReport.collectedAt, lang)}`),
        ...summaryLines(s.latestReport, lang),
      ]
    : [labelled(w.label.latest, w.noReportYet)];
  return [
    `santong-agent ${s.agentVersion}`,
    labelled(w.label.device, `${s.deviceId} · ${w.enrolledAt(where)}`),
    labelled(w.label.server, s.server),
    labelled(w.label.queue, w.queue(s.queued, s.queuedBytes, s.quarantined, s.droppedNotYetReported)),
    labelled(w.label.delivered, time(s.lastDeliveredAt)),
    labelled(w.label.lastAttempt, attempt),
    labelled(w.label.nextReport, s.nextReportAt ? beijingTime(s.nextReportAt, lang) : w.atNextStart),
    ...latest,
    labelled(w.label.settings, `${s.configPath}; ${w.state} ${s.stateDir}`),
  ].join('\n');
}
