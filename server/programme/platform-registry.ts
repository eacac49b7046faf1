import { and, eq } from 'drizzle-orm';
import type { NewPlatform, PlatformKind, PlatformLevel, PlatformPatch } from '../../shared/schemas/platforms.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { platforms } from '../db/schema.ts';
import type { Store } from '../db/store.ts';
import { DomainError } from '../errors.ts';
import { localDay } from '../../shared/time/china-time.ts';

/*
 * The platform registry: who declared which platform built, where it lives and when. Every change is
 * audited with the whole record before and after, so a removed platform is still on the record.
 */

export type StoredPlatform = typeof platforms.$inferSelect;

/** The county an owner lies in (null for the prefecture), or a 400 that says what the level takes. */
async function ownerCounty(store: Store, level: PlatformLevel, ownerCode: string): Promise<string | null> {
  const { divisions, schools } = store.t;
  if (level === 'centre-school') {
    const [school] = await store.q
      .select({ countyCode: schools.countyCode })
      .from(schools)
      .where(eq(schools.code, ownerCode))
      .limit(1);
    if (!school)
      throw new DomainError(
        'invalid',
        'owner_unknown',
        `a centre-school platform belongs to a registered school; ${ownerCode} is not in the registry`,
      );
    return school.countyCode;
  }
  const [division] = await store.q
    .select()
    .from(divisions)
    .where(and(eq(divisions.code, ownerCode), eq(divisions.level, level)))
    .limit(1);
  if (!division) {
    const units = await store.q
      .select({ code: divisions.code, name: divisions.name })
      .from(divisions)
      .where(eq(divisions.level, level));
    const list = units.map((u) => `${u.code} ${u.name}`).join(', ') || 'none loaded';
    throw new DomainError(
      'invalid',
      'owner_unknown',
      `a ${level} platform belongs to a ${level} of the plan (${list}); ${ownerCode} is not one`,
    );
  }
  return level === 'county' ? division.code : null;
}

function checkBuiltOn(builtOn: string | null, now: number): void {
  // A date still to come declares something not yet done: the plan treats that as a false figure.
  if (builtOn !== null && builtOn > localDay(now)) {
    throw new DomainError(
      'invalid',
      'built_in_future',
      `builtOn ${builtOn} is after today (${localDay(now)}); declare a platform built once it is`,
    );
  }
}

const auditValue = (p: StoredPlatform) => ({
  kind: p.kind,
  level: p.level,
  ownerCode: p.ownerCode,
  name: p.name,
  url: p.url,
  builtOn: p.builtOn,
});

/** Adds a platform to the registry, audited. */
export async function addPlatform(
  store: Store,
  input: Omit<NewPlatform, 'reason'>,
  audit: AuditSource,
  now: number,
): Promise<StoredPlatform> {
  return store.transaction(async (tx) => {
    const countyCode = await ownerCounty(tx, input.level, input.ownerCode);
    checkBuiltOn(input.builtOn, now);
    const [row] = await tx.q
      .insert(tx.t.platforms)
      .values({
        kind: input.kind,
        level: input.level,
        ownerCode: input.ownerCode,
        countyCode,
        name: input.name,
        url: input.url,
        builtOn: input.builtOn,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'platform.add',
        entityType: 'platform',
        entityId: String(row!.id),
        countyCode,
        oldValue: null,
        newValue: auditValue(row!),
      },
      now,
    );
    return row!;
  });
}

async function findPlatform(store: Store, id: number): Promise<StoredPlatform> {
  const { platforms } = store.t;
  const [row] = await store.q.select().from(platforms).where(eq(platforms.id, id)).limit(1);
  if (!row)
    throw new DomainError('not-found', 'platform_unknown', `no platform #${id}; GET /api/v1/platforms lists them`);
  return row;
}

/** Changes the given fields of a platform, audited; returns the stored platform and whether anything changed. */
export async function updatePlatform(
  store: Store,
  id: number,
  patch: Omit<PlatformPatch, 'reason'>,
  audit: AuditSource,
  now: number,
): Promise<{ platform: StoredPlatform; changed: boolean }> {
  return store.transaction(async (tx) => {
    const before = await findPlatform(tx, id);
    const merged = {
      kind: (patch.kind ?? before.kind) as PlatformKind,
      level: (patch.level ?? before.level) as PlatformLevel,
      ownerCode: patch.ownerCode ?? before.ownerCode,
      name: patch.name ?? before.name,
      url: patch.url ?? before.url,
      builtOn: patch.builtOn === undefined ? before.builtOn : patch.builtOn,
    };
    const countyCode = await ownerCounty(tx, merged.level, merged.ownerCode);
    const changed = (Object.keys(merged) as (keyof typeof merged)[]).some((k) => merged[k] !== before[k]);
    if (!changed) return { platform: before, changed: false };
    checkBuiltOn(merged.builtOn, now);
    const { platforms } = tx.t;
    const [after] = await tx.q
      .update(platforms)
      .set({ ...merged, countyCode, updatedAt: now })
      .where(eq(platforms.id, id))
      .returning();
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'platform.update',
        entityType: 'platform',
        entityId: String(id),
        countyCode,
        oldValue: auditValue(before),
        newValue: auditValue(after!),
      },
      now,
    );
    return { platform: after!, changed: true };
  });
}

/** Removes a platform and its probe history, audited with the record as it was. */
export async function removePlatform(
  store: Store,
  id: number,
  audit: AuditSource,
  now: number,
): Promise<StoredPlatform> {
  return store.transaction(async (tx) => {
    const before = await findPlatform(tx, id);
    // Probes and status go with it (ON DELETE CASCADE): evidence about a URL nobody claims is noise.
    await tx.q.delete(tx.t.platforms).where(eq(tx.t.platforms.id, id));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'platform.remove',
        entityType: 'platform',
        entityId: String(id),
        countyCode: before.countyCode,
        oldValue: auditValue(before),
        newValue: null,
      },
      now,
    );
    return before;
  });
}
