import { and, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { enrollmentTokens, schools } from '../db/schema.ts';
import { generateSecret, hashSecret } from '../auth/secrets.ts';
import { DomainError } from '../errors.ts';

export interface NewEnrollmentToken {
  id: number;
  token: string;
  school: { code: string; name: string };
  expiresAt: number | null;
  maxUses: number | null;
}

/** Issues a per-school enrollment token; the token itself is returned once and only its hash is kept. */
export function createEnrollmentToken(
  db: Db,
  input: { schoolCode: string; expiresAt: number | null; maxUses: number | null; createdBy: string },
  now: number,
): NewEnrollmentToken {
  const school = db.select({ code: schools.code, name: schools.name }).from(schools).where(eq(schools.code, input.schoolCode)).get();
  if (!school) throw new DomainError('not-found', 'school_unknown', `no school with code ${input.schoolCode}; import the roster first (santong import-schools FILE)`);
  const token = generateSecret('enrollment');
  const row = db
    .insert(enrollmentTokens)
    .values({ tokenHash: hashSecret(token), schoolCode: school.code, expiresAt: input.expiresAt, maxUses: input.maxUses, createdAt: now, createdBy: input.createdBy })
    .returning({ id: enrollmentTokens.id })
    .get();
  return { id: row.id, token, school, expiresAt: input.expiresAt, maxUses: input.maxUses };
}

/** Revokes an enrollment token by id; devices it already enrolled keep their keys. */
export function revokeEnrollmentToken(db: Db, id: number, now: number): boolean {
  const result = db
    .update(enrollmentTokens)
    .set({ revokedAt: now })
    .where(and(eq(enrollmentTokens.id, id), isNull(enrollmentTokens.revokedAt)))
    .run();
  return result.changes > 0;
}

/** Parses a duration such as 30d, 12h or 90m into milliseconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(d|h|m)$/.exec(text.trim());
  if (!match) return null;
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[match[2] as 'd' | 'h' | 'm'];
  return Number(match[1]) * unit;
}
