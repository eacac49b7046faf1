import type { Store } from '../db/store.ts';

/**
 * Who did something: `cli:<os user>`, `user:<username>`, `api-token:<id>` or `system:<job>`.
 * Recorded as text so the log outlives the accounts it names.
 */
export type Actor = string;

/** How the audit log names a signed-in person (dashboard user or session-backed API caller). */
export const userActor = (username: string): Actor => `user:${username}`;

/** How the audit log names an API token. */
export const tokenActor = (tokenId: number): Actor => `api-token:${tokenId}`;

/** Who makes a change and why: passed by every caller of a mutating domain function. */
export interface AuditSource {
  actor: Actor;
  reason: string;
}

export interface AuditEntry {
  actor: Actor;
  action: string;
  entityType: string;
  entityId: string;
  countyCode?: string | null;
  oldValue?: unknown;
  newValue?: unknown;
  reason: string;
}

/**
 * Appends one entry to the audit log. Call it inside the transaction that makes the change, so the
 * change and its record commit together or not at all.
 */
export async function recordAudit(store: Store, entry: AuditEntry, now: number): Promise<void> {
  await store.q.insert(store.t.auditLog).values(auditRow(entry, now));
}

/** The row an entry is stored as; an entry without a reason is refused. */
function auditRow(entry: AuditEntry, now: number) {
  const reason = entry.reason.trim();
  if (reason.length === 0) throw new Error(`audit entry for ${entry.action} needs a reason`);
  return {
    at: now,
    actor: entry.actor,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    countyCode: entry.countyCode ?? null,
    oldValue: entry.oldValue ?? null,
    newValue: entry.newValue ?? null,
    reason,
  };
}
