import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import type { Store } from '../db/store.ts';

export interface AuditFilter {
  entityType?: string | undefined;
  entityId?: string | undefined;
  actor?: string | undefined;
  action?: string | undefined;
  countyCode?: string | undefined;
  from?: number | undefined;
  to?: number | undefined;
  page: number;
  pageSize: number;
}

/** Audit entries matching the filter, newest first, one page at a time. */
export async function readAuditLog(store: Store, filter: AuditFilter) {
  const { auditLog } = store.t;
  const where: (SQL | undefined)[] = [
    filter.entityType ? eq(auditLog.entityType, filter.entityType) : undefined,
    filter.entityId ? eq(auditLog.entityId, filter.entityId) : undefined,
    filter.actor ? eq(auditLog.actor, filter.actor) : undefined,
    filter.action ? eq(auditLog.action, filter.action) : undefined,
    filter.countyCode ? eq(auditLog.countyCode, filter.countyCode) : undefined,
    filter.from !== undefined ? gte(auditLog.at, filter.from) : undefined,
    filter.to !== undefined ? lte(auditLog.at, filter.to) : undefined,
  ];
  const rows = await store.q
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(filter.pageSize)
    .offset((filter.page - 1) * filter.pageSize);
  return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
}
