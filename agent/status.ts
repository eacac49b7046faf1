import { readDeliveryState } from './agent-state.ts';
import type { AgentContext } from './context.ts';
import { AGENT_VERSION } from './version.ts';
import { readNextRunAt } from './schedule.ts';
import { join } from 'node:path';

/** What `status` prints: enrollment, queue, drops, quarantine, last delivery, next report. Never the key. */
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
    nextReportAt: nextRunAt ? new Date(nextRunAt).toISOString() : 'at the next start',
  };
}

/** The status as lines for a person at a terminal. */
export function formatStatus(s: Awaited<ReturnType<typeof agentStatus>>): string {
  return [
    `santong-agent ${s.agentVersion}`,
    `device      ${s.deviceId} at ${s.school.name} (${s.school.code})${s.classroom ? `, ${s.classroom.name}` : ''}`,
    `server      ${s.server}`,
    `queue       ${s.queued} report(s), ${s.queuedBytes} bytes; ${s.quarantined} quarantined; ${s.droppedNotYetReported} dropped, not yet reported`,
    `delivered   ${s.lastDeliveredAt ?? 'never'}; last attempt ${s.lastAttemptAt ?? 'none'} (${s.lastResult ?? '-'})${s.lastError ? `: ${s.lastError}` : ''}`,
    `next report ${s.nextReportAt}`,
    `settings    ${s.configPath}; state ${s.stateDir}`,
  ].join('\n');
}
