import { apiErrorSchema } from '../shared/schemas/error.ts';
import { MAX_REPORTS_PER_BATCH, reportBatchResultSchema, reportBatchSchema } from '../shared/schemas/report.ts';
import { describeError, type Dispatcher } from './http.ts';
import type { Outbox, QueuedReport } from './outbox.ts';

export type SendTarget = { serverUrl: string; deviceKey: string; dispatcher: Dispatcher; userAgent: string };

export type DeliveryResult = {
  /** `done`: outbox empty; `retry`: try again later; `unauthorized`: the device key was refused (re-enroll). */
  state: 'done' | 'retry' | 'unauthorized';
  accepted: number;
  duplicates: number;
  clamped: number;
  quarantined: number;
  /** The server's Retry-After, in milliseconds, when it gave one. */
  retryAfterMs?: number;
  error?: string;
};

/** Server's default body limit is 4 MiB; staying well under it keeps one request short on a slow rural link. */
export const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * Sends the outbox, oldest first, in batches until it is empty or the server cannot take more now.
 * An entry leaves the outbox only on a 2xx; a report the server refuses for its content goes to quarantine.
 */
export async function deliverOutbox(
  outbox: Outbox,
  target: SendTarget,
  now: () => number = Date.now,
): Promise<DeliveryResult> {
  const result: DeliveryResult = { state: 'done', accepted: 0, duplicates: 0, clamped: 0, quarantined: 0 };
  let maxReports = MAX_REPORTS_PER_BATCH;
  for (;;) {
    const batch = await outbox.nextBatch(maxReports, MAX_BATCH_BYTES);
    if (batch.length === 0) return result;
    let response: { status: number; headers: Record<string, string | string[] | undefined>; text: string };
    try {
      response = await postBatch(batch, target);
    } catch (error) {
      return { ...result, state: 'retry', error: `cannot reach ${target.serverUrl}: ${describeError(error)}` };
    }
    const verdict = judgeResponse(response.status, response.text);
    if (verdict.action === 'acknowledge') {
      await outbox.acknowledge(batch);
      const counts = reportBatchResultSchema.safeParse(safeJson(response.text));
      result.accepted += counts.success ? counts.data.accepted : batch.length;
      result.duplicates += counts.success ? counts.data.duplicates : 0;
      result.clamped += counts.success ? counts.data.clamped : 0;
    } else if (
      batch.length > 1 &&
      (verdict.action === 'split' || (verdict.action === 'quarantine' && !verdict.badIndexes?.length))
    ) {
      // Too large, or refused without saying which report: halve until the culprit is alone.
      maxReports = Math.max(1, Math.floor(batch.length / 2));
    } else if (verdict.action === 'quarantine' || verdict.action === 'split') {
      const bad = verdict.badIndexes?.length ? verdict.badIndexes : batch.map((_, i) => i);
      for (const i of bad) {
        const entry = batch[i];
        if (entry) await outbox.quarantine([entry], `HTTP ${response.status} ${verdict.reason}`);
      }
      result.quarantined += bad.length;
    } else {
      const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'), now());
      return {
        ...result,
        state: verdict.action,
        error: `HTTP ${response.status} ${verdict.reason}`,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      };
    }
  }
}

async function postBatch(batch: QueuedReport[], target: SendTarget) {
  // Validated again on the way out: the same schema the server applies, so a bug here is caught here.
  const body = JSON.stringify(reportBatchSchema.parse({ reports: batch.map((q) => q.report) }));
  const res = await target.dispatcher.request(new URL('/api/v1/reports', target.serverUrl), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${target.deviceKey}`,
      'content-type': 'application/json',
      'user-agent': target.userAgent,
    },
    body,
    signal: AbortSignal.timeout(120_000),
  });
  return { status: res.statusCode, headers: res.headers, text: await res.text() };
}

export type Verdict =
  | { action: 'acknowledge' }
  | { action: 'retry' | 'unauthorized'; reason: string }
  | { action: 'quarantine' | 'split'; reason: string; badIndexes?: number[] };

/**
 * What a response means for the batch. Only our server's own JSON refusal of the content quarantines:
 * a school proxy's 403/404 page or a captive portal says nothing about the reports, so those retry.
 */
export function judgeResponse(status: number, text: string): Verdict {
  if (status >= 200 && status < 300) return { action: 'acknowledge' };
  const apiError = apiErrorSchema.safeParse(safeJson(text));
  const reason = apiError.success
    ? `${apiError.data.code}: ${apiError.data.error}`
    : text.slice(0, 200).replace(/\s+/g, ' ');
  if (status === 401) return { action: 'unauthorized', reason };
  if (status === 413) return { action: 'split', reason };
  const retryable = [403, 404, 405, 407, 408, 425, 429];
  if (status < 400 || status >= 500 || retryable.includes(status) || !apiError.success)
    return { action: 'retry', reason };
  const badIndexes = [
    ...new Set(
      (apiError.data.issues ?? []).flatMap((i) => {
        const m = /^reports\.(\d+)(\.|$)/.exec(i.path);
        return m ? [Number(m[1])] : [];
      }),
    ),
  ];
  const details = (apiError.data.issues ?? []).map((i) => `${i.path}: ${i.message}`).join('; ');
  return { action: 'quarantine', reason: details ? `${reason} (${details})` : reason, badIndexes };
}

/** Retry-After in ms from delta-seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/**
 * Capped exponential backoff with full jitter (a random wait in [0, min(cap, base·2^attempt)]), so the
 * PCs of a whole county that lost the link together do not all come back in the same second.
 */
export function backoffMs(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 30_000,
  capMs = 3_600_000,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30)));
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
