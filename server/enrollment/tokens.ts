import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { generateSecret, hashSecret } from '../access/secrets.ts';
import { DomainError } from '../errors.ts';
import { DAY_MS, HOUR_MS } from '../../shared/time/china-time.ts';
import { chinaDateTime } from '../../shared/time/china-time-text.ts';

export interface NewEnrollmentToken {
  id: number;
  token: string;
  school: { code: string; name: string };
  expiresAt: number | null;
  maxUses: number | null;
}

/*
 * A token is what a county office hands a school's IT staff for one round of installs: by default it
 * lasts three weeks and enrolls the school's classrooms plus a few office PCs and retries. A leaked
 * token is then worth little; an explicit expiry or use count (up to MAX_TOKEN_DAYS and MAX_TOKEN_USES) still allows more.
 */
export const DEFAULT_TOKEN_DAYS = 21;
export const DEFAULT_EXTRA_USES = 10;

/** The default use count for a school's token: one per registered classroom plus DEFAULT_EXTRA_USES. */
export async function defaultMaxUses(store: Store, schoolCode: string): Promise<number> {
  const { classrooms } = store.t;
  const [rooms] = await store.q.select({ n: count() }).from(classrooms).where(eq(classrooms.schoolCode, schoolCode));
  return rooms!.n + DEFAULT_EXTRA_USES;
}

/**
 * Issues a per-school enrollment token; the token itself is returned once and only its hash is kept.
 * An absent expiry or use count takes the defaults above; null means none (demo and tests only).
 */
export async function createEnrollmentToken(
  store: Store,
  input: { schoolCode: string; expiresAt?: number | null; maxUses?: number | null },
  now: number,
  audit: AuditSource,
): Promise<NewEnrollmentToken> {
  const { schools } = store.t;
  const [school] = await store.q
    .select({ code: schools.code, name: schools.name })
    .from(schools)
    .where(eq(schools.code, input.schoolCode))
    .limit(1);
  if (!school)
    throw new DomainError(
      'not-found',
      'school_unknown',
      `no school with code ${input.schoolCode}; import the roster first (santong import-schools FILE)`,
      undefined,
      { params: { school: input.schoolCode } },
    );
  const expiresAt = input.expiresAt === undefined ? now + DEFAULT_TOKEN_DAYS * DAY_MS : input.expiresAt;
  const maxUses = input.maxUses === undefined ? await defaultMaxUses(store, school.code) : input.maxUses;
  const token = generateSecret('enrollment');
  const row = await store.transaction(async (tx) => {
    const { enrollmentTokens } = tx.t;
    const [created] = await tx.q
      .insert(enrollmentTokens)
      .values({
        tokenHash: hashSecret(token),
        schoolCode: school.code,
        expiresAt,
        maxUses,
        createdAt: now,
        createdBy: audit.actor,
      })
      .returning({
        id: enrollmentTokens.id,
        countyCode: sql<string>`(select county_code from schools where code = ${school.code})`,
      });
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'enrollment-token.create',
        entityType: 'enrollment-token',
        entityId: String(created!.id),
        countyCode: created!.countyCode,
        newValue: { schoolCode: school.code, expiresAt, maxUses },
      },
      now,
    );
    return created!;
  });
  return { id: row.id, token, school, expiresAt, maxUses };
}

/**
 * The token's row when it may enroll a PC now (known, not revoked, not expired, uses left), else the reason as a
 * 401 the IT teacher can act on. Enrollment counts a use; downloading the agent with it does not (decision 183).
 */
export async function usableEnrollmentToken(store: Store, token: string, now: number) {
  const { enrollmentTokens } = store.t;
  const [row] = await store.q
    .select()
    .from(enrollmentTokens)
    .where(eq(enrollmentTokens.tokenHash, hashSecret(token)))
    .limit(1);
  if (!row)
    throw new DomainError(
      'unauthorized',
      'token_invalid',
      'unknown enrollment token; ask your county office for a new one',
    );
  if (row.revokedAt !== null)
    throw new DomainError(
      'unauthorized',
      'token_revoked',
      'this enrollment token was revoked; ask your county office for a new one',
    );
  if (row.expiresAt !== null && row.expiresAt <= now)
    throw new DomainError(
      'unauthorized',
      'token_expired',
      `this enrollment token expired at ${chinaDateTime(row.expiresAt)} Beijing time; ask your county office for a new one`,
    );
  if (row.maxUses !== null && row.uses >= row.maxUses)
    throw new DomainError(
      'unauthorized',
      'token_used_up',
      `this enrollment token was already used ${row.uses} times, its limit; ask your county office for a new one`,
    );
  return row;
}

/** Revokes an enrollment token by id; devices it already enrolled keep their keys. */
export async function revokeEnrollmentToken(
  store: Store,
  id: number,
  now: number,
  audit: AuditSource,
): Promise<boolean> {
  return await store.transaction(async (tx) => {
    const { enrollmentTokens } = tx.t;
    const [token] = await tx.q
      .select({ schoolCode: enrollmentTokens.schoolCode })
      .from(enrollmentTokens)
      .where(and(eq(enrollmentTokens.id, id), isNull(enrollmentTokens.revokedAt)))
      .limit(1);
    if (!token) return false;
    await tx.q.update(enrollmentTokens).set({ revokedAt: now }).where(eq(enrollmentTokens.id, id));
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'enrollment-token.revoke',
        entityType: 'enrollment-token',
        entityId: String(id),
        oldValue: { revokedAt: null },
        newValue: { revokedAt: now, schoolCode: token.schoolCode },
      },
      now,
    );
    return true;
  });
}

/** Parses a duration such as 30d, 12h or 90m into milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(d|h|m)$/.exec(text.trim());
  if (!match) return null;
  const unit = { d: DAY_MS, h: HOUR_MS, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}
