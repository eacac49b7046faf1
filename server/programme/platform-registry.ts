import { and, eq } from 'drizzle-orm';
import type { NewPlatform, PlatformKind, PlatformLevel, PlatformPatch } from '../../shared/schemas/platforms.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { divisions, platforms, schools } from '../db/schema.ts';
import { DomainError } from '../errors.ts';
import { localDay } from '../../shared/time/china-time.ts';

/*
 * The platform registry: who declared which platform built, where it lives and when. Every change is
 * audited with the whole record before and after, so a removed platform is still on the record.
 */

export type StoredPlatform = typeof platforms.$inferSelect;

/** The county an owner lies in (null for the prefecture), or a 400 that says what the level takes. */
function ownerCounty(db: Db, level: PlatformLevel, ownerCode: string): string | null {
  if (level === 'centre-school') {
    const school = db.select({ countyCode: schools.countyCode }).from(schools).where(eq(schools.code, ownerCode)).get();
    if (!school)
      throw new DomainError(
        'invalid',
        'owner_unknown',
        `a centre-school platform belongs to a registered school; ${ownerCode} is not in the registry`,
      );
    return school.countyCode;
  }
  const division = db
    .select()
    .from(divisions)
    .where(and(eq(divisions.code, ownerCode), eq(divisions.level, level)))
    .get();
  if (!division) {
    const units = db
      .select({ code: divisions.code, name: divisions.name })
      .from(divisions)
      .where(eq(divisions.level, level))
      .all();
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
export function addPlatform(
  db: Db,
  input: Omit<NewPlatform, 'reason'>,
  audit: AuditSource,
  now: number,
): StoredPlatform {
  return inTransaction(db, () => {
    const countyCode = ownerCounty(db, input.level, input.ownerCode);
    checkBuiltOn(input.builtOn, now);
    const row = db
      .insert(platforms)
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
      .returning()
      .get();
    recordAudit(
      db,
      {
        ...audit,
        action: 'platform.add',
        entityType: 'platform',
        entityId: String(row.id),
        countyCode,
        oldValue: null,
        newValue: auditValue(row),
      },
      now,
    );
    return row;
  });
}

function findPlatform(db: Db, id: number): StoredPlatform {
  const row = db.select().from(platforms).where(eq(platforms.id, id)).get();
  if (!row)
    throw new DomainError('not-found', 'platform_unknown', `no platform #${id}; GET /api/v1/platforms lists them`);
  return row;
}

/** Changes the given fields of a platform, audited; returns the stored platform and whether anything changed. */
export function updatePlatform(
  db: Db,
  id: number,
  patch: Omit<PlatformPatch, 'reason'>,
  audit: AuditSource,
  now: number,
) {
  return inTransaction(db, () => {
    const before = findPlatform(db, id);
    const merged = {
      kind: (patch.kind ?? before.kind) as PlatformKind,
      level: (patch.level ?? before.level) as PlatformLevel,
      ownerCode: patch.ownerCode ?? before.ownerCode,
      name: patch.name ?? before.name,
      url: patch.url ?? before.url,
      builtOn: patch.builtOn === undefined ? before.builtOn : patch.builtOn,
    };
    const countyCode = ownerCounty(db, merged.level, merged.ownerCode);
    const changed = (Object.keys(merged) as (keyof typeof merged)[]).some((k) => merged[k] !== before[k]);
    if (!changed) return { platform: before, changed: false };
    checkBuiltOn(merged.builtOn, now);
    const after = db
      .update(platforms)
      .set({ ...merged, countyCode, updatedAt: now })
      .where(eq(platforms.id, id))
      .returning()
      .get();
    recordAudit(
      db,
      {
        ...audit,
        action: 'platform.update',
        entityType: 'platform',
        entityId: String(id),
        countyCode,
        oldValue: auditValue(before),
        newValue: auditValue(after),
      },
      now,
    );
    return { platform: after, changed: true };
  });
}

/** Removes a platform and its probe history, audited with the record as it was. */
export function removePlatform(db: Db, id: number, audit: AuditSource, now: number): StoredPlatform {
  return inTransaction(db, () => {
    const before = findPlatform(db, id);
    // Probes and status go with it (ON DELETE CASCADE): evidence about a URL nobody claims is noise.
    db.delete(platforms).where(eq(platforms.id, id)).run();
    recordAudit(
      db,
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
