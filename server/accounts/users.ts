import { and, asc, eq, isNull } from 'drizzle-orm';
import { newUserSchema, passwordSchema, type NewUser, type Role } from '../../shared/schemas/dashboard.ts';
import { recordAudit, type AuditSource } from '../audit/audit.ts';
import type { Store } from '../db/store.ts';
import { confineTo, confineToCounty } from '../divisions/confinement.ts';
import { deploymentTree } from '../divisions/deployment.ts';
import { DomainError } from '../errors.ts';
import { describeIssues } from '../http/validate.ts';
import { hashPassword } from './passwords.ts';
import type { User } from '../access/principals.ts';

/** Creates an account after checking that its division (under the root) or school exists; the password is hashed with scrypt. */
export async function createUser(store: Store, input: NewUser, now: number, audit: AuditSource): Promise<User> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new DomainError('invalid', 'invalid_user', issues.map((i) => `${i.path}: ${i.message}`).join('; '), issues, {
      fieldIssues: parsed.error.issues,
    });
  }
  const u = parsed.data;
  const { schools, users } = store.t;
  let divisionCode: string | null = null;
  let schoolCode: string | null = null;
  // An account of the whole deployment names no division, so it needs no confinement.
  if (u.role === 'bureau' && u.divisionCode != null)
    divisionCode = confineTo(await deploymentTree(store), u.divisionCode, 'bureau account');
  if (u.role === 'county')
    divisionCode = confineToCounty(await deploymentTree(store), u.divisionCode!, 'county account');
  if (u.role === 'school') {
    const [school] = await store.q
      .select({ code: schools.code, countyCode: schools.countyCode })
      .from(schools)
      .where(eq(schools.code, u.schoolCode!))
      .limit(1);
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
  if ((await store.q.select({ id: users.id }).from(users).where(eq(users.username, u.username)).limit(1)).length > 0) {
    throw new DomainError('conflict', 'username_taken', `the username ${u.username} is taken`, undefined, {
      params: { username: u.username },
    });
  }
  // Hashed before the transaction: a transaction awaits only the database (decision 180).
  const passwordHash = await hashPassword(u.password);
  const row = await store.transaction(async (tx) => {
    const [created] = await tx.q
      .insert(tx.t.users)
      .values({
        username: u.username,
        passwordHash,
        role: u.role,
        divisionCode,
        schoolCode,
        createdAt: now,
        createdBy: audit.actor,
      })
      .returning({ id: tx.t.users.id });
    const newValue = { username: u.username, role: u.role, divisionCode, schoolCode };
    await recordAudit(
      tx,
      {
        ...audit,
        action: 'user.create',
        entityType: 'user',
        entityId: String(created!.id),
        countyCode: divisionCode,
        newValue,
      },
      now,
    );
    return created!;
  });
  return { id: row.id, username: u.username, role: u.role, divisionCode, schoolCode };
}

/** The active account with this username and its password hash, or null. */
export async function findUserForLogin(
  store: Store,
  username: string,
): Promise<(User & { passwordHash: string }) | null> {
  const { users } = store.t;
  const [row] = await store.q
    .select()
    .from(users)
    .where(and(eq(users.username, username.trim().toLowerCase()), isNull(users.disabledAt)))
    .limit(1);
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
export async function listUsers(store: Store) {
  const { users } = store.t;
  return await store.q
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
    .orderBy(asc(users.username));
}

async function findUser(store: Store, id: number) {
  const [row] = await store.q.select().from(store.t.users).where(eq(store.t.users.id, id)).limit(1);
  if (!row) throw new DomainError('not-found', 'user_unknown', `no user ${id}`, undefined, { params: { id } });
  return row;
}

/** Disables an account: it cannot sign in, and its open sessions end now. Audited; disabling twice is a 409. */
export async function disableUser(store: Store, id: number, now: number, audit: AuditSource): Promise<void> {
  await store.transaction(async (tx) => {
    const { sessions, users } = tx.t;
    const user = await findUser(tx, id);
    if (user.disabledAt !== null)
      throw new DomainError('conflict', 'user_disabled', `${user.username} is already disabled`, undefined, {
        params: { username: user.username },
      });
    await tx.q.update(users).set({ disabledAt: now }).where(eq(users.id, id));
    await tx.q.delete(sessions).where(eq(sessions.userId, id));
    await recordAudit(
      tx,
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
export async function enableUser(store: Store, id: number, now: number, audit: AuditSource): Promise<void> {
  await store.transaction(async (tx) => {
    const user = await findUser(tx, id);
    if (user.disabledAt === null)
      throw new DomainError('conflict', 'user_enabled', `${user.username} is not disabled`, undefined, {
        params: { username: user.username },
      });
    await tx.q.update(tx.t.users).set({ disabledAt: null }).where(eq(tx.t.users.id, id));
    await recordAudit(
      tx,
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
  store: Store,
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
  const user = await findUser(store, id);
  // Hashed before the transaction: a transaction awaits only the database (decision 180).
  const passwordHash = await hashPassword(parsed.data);
  await store.transaction(async (tx) => {
    const { sessions, users } = tx.t;
    await tx.q.update(users).set({ passwordHash }).where(eq(users.id, id));
    await tx.q.delete(sessions).where(eq(sessions.userId, id));
    await recordAudit(
      tx,
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
