import { and, asc, eq, isNull } from 'drizzle-orm';
import { newUserSchema, passwordSchema, type NewUser, type Role } from '../../shared/schemas/dashboard.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import { inTransaction, type Db } from '../db/client.ts';
import { schools, sessions, users } from '../db/schema.ts';
import { confineTo, confineToCounty } from '../divisions/confinement.ts';
import { deploymentTreeOnConnection } from '../divisions/deployment-on-connection.ts';
import { DomainError } from '../errors.ts';
import { describeIssues } from '../http/validate.ts';
import { hashPassword } from './passwords.ts';
import type { User } from '../access/principals.ts';

/** Creates an account after checking that its division (under the root) or school exists; the password is hashed with scrypt. */
export async function createUser(db: Db, input: NewUser, now: number, audit: AuditSource): Promise<User> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new DomainError('invalid', 'invalid_user', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues, {
      fieldIssues: parsed.error.issues,
    });
  }
  const u = parsed.data;
  let divisionCode: string | null = null;
  let schoolCode: string | null = null;
  if (u.role === 'bureau') divisionCode = confineTo(deploymentTreeOnConnection(db), u.divisionCode, 'bureau account');
  if (u.role === 'county')
    divisionCode = confineToCounty(deploymentTreeOnConnection(db), u.divisionCode!, 'county account');
  if (u.role === 'school') {
    const school = db
      .select({ code: schools.code, countyCode: schools.countyCode })
      .from(schools)
      .where(eq(schools.code, u.schoolCode!))
      .get();
    if (!school)
      throw new DomainError(
        'invalid',
        'school_unknown',
        `no school with code ${u.schoolCode}; import the roster first`,
        undefined,
        { params: { school: u.schoolCode! } },
      );
    schoolCode = school.code;
    divisionCode = school.countyCode;
  }
  if (db.select({ id: users.id }).from(users).where(eq(users.username, u.username)).get()) {
    throw new DomainError('conflict', 'username_taken', `the username ${u.username} is taken`, undefined, {
      params: { username: u.username },
    });
  }
  // Hashed before the insert: the await must not sit inside a transaction (better-sqlite3 is synchronous).
  const passwordHash = await hashPassword(u.password);
  const row = inTransaction(db, () => {
    const created = db
      .insert(users)
      .values({
        username: u.username,
        passwordHash,
        role: u.role,
        divisionCode,
        schoolCode,
        createdAt: now,
        createdBy: audit.actor,
      })
      .returning({ id: users.id })
      .get();
    const newValue = { username: u.username, role: u.role, divisionCode, schoolCode };
    recordAudit(
      db,
      {
        ...audit,
        action: 'user.create',
        entityType: 'user',
        entityId: String(created.id),
        countyCode: divisionCode,
        newValue,
      },
      now,
    );
    return created;
  });
  return { id: row.id, username: u.username, role: u.role, divisionCode, schoolCode };
}

/** The active account with this username and its password hash, or null. */
export function findUserForLogin(db: Db, username: string): (User & { passwordHash: string }) | null {
  const row = db
    .select()
    .from(users)
    .where(and(eq(users.username, username.trim().toLowerCase()), isNull(users.disabledAt)))
    .get();
  return row
    ? {
        id: row.id,
        username: row.username,
        role: row.role,
        divisionCode: row.divisionCode,
        schoolCode: row.schoolCode,
        passwordHash: row.passwordHash,
      }
    : null;
}

/** Every account, for the bureau's user list (no hashes). */
export function listUsers(db: Db) {
  return db
    .select({
      id: users.id,
      username: users.username,
      role: users.role,
      divisionCode: users.divisionCode,
      schoolCode: users.schoolCode,
      createdAt: users.createdAt,
      createdBy: users.createdBy,
      disabledAt: users.disabledAt,
    })
    .from(users)
    .orderBy(asc(users.username))
    .all();
}

function findUser(db: Db, id: number) {
  const row = db.select().from(users).where(eq(users.id, id)).get();
  if (!row) throw new DomainError('not-found', 'user_unknown', `no user ${id}`, undefined, { params: { id } });
  return row;
}

/** Disables an account: it cannot sign in, and its open sessions end now. Audited; disabling twice is a 409. */
export function disableUser(db: Db, id: number, now: number, audit: AuditSource): void {
  inTransaction(db, () => {
    const user = findUser(db, id);
    if (user.disabledAt !== null)
      throw new DomainError('conflict', 'user_disabled', `${user.username} is already disabled`, undefined, {
        params: { username: user.username },
      });
    db.update(users).set({ disabledAt: now }).where(eq(users.id, id)).run();
    db.delete(sessions).where(eq(sessions.userId, id)).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'user.disable',
        entityType: 'user',
        entityId: String(id),
        countyCode: user.divisionCode,
        oldValue: { disabledAt: null },
        newValue: { disabledAt: new Date(now).toISOString() },
      },
      now,
    );
  });
}

/** Enables a disabled account again (same password as before). Audited. */
export function enableUser(db: Db, id: number, now: number, audit: AuditSource): void {
  inTransaction(db, () => {
    const user = findUser(db, id);
    if (user.disabledAt === null)
      throw new DomainError('conflict', 'user_enabled', `${user.username} is not disabled`, undefined, {
        params: { username: user.username },
      });
    db.update(users).set({ disabledAt: null }).where(eq(users.id, id)).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'user.enable',
        entityType: 'user',
        entityId: String(id),
        countyCode: user.divisionCode,
        oldValue: { disabledAt: new Date(user.disabledAt).toISOString() },
        newValue: { disabledAt: null },
      },
      now,
    );
  });
}

/**
 * Sets a new password for an account and ends its sessions, so whoever knew the old one is signed out.
 * Audited without any trace of either password.
 */
export async function resetPassword(
  db: Db,
  id: number,
  password: string,
  now: number,
  audit: AuditSource,
): Promise<void> {
  const parsed = passwordSchema.safeParse(password);
  if (!parsed.success)
    throw new DomainError('invalid', 'invalid_password', `password: ${parsed.error.issues[0]!.message}`, undefined, {
      fieldIssues: parsed.error.issues.map((issue) => ({ ...issue, path: ['password'] })),
    });
  const user = findUser(db, id);
  // Hashed before the transaction: better-sqlite3 transactions are synchronous.
  const passwordHash = await hashPassword(parsed.data);
  inTransaction(db, () => {
    db.update(users).set({ passwordHash }).where(eq(users.id, id)).run();
    db.delete(sessions).where(eq(sessions.userId, id)).run();
    recordAudit(
      db,
      {
        ...audit,
        action: 'user.password-reset',
        entityType: 'user',
        entityId: String(id),
        countyCode: user.divisionCode,
        newValue: { username: user.username },
      },
      now,
    );
  });
}
