import { fileURLToPath } from 'node:url';
import { eq, sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import * as schema from '../../server/db/schema-pg.ts';
import { usePostgres } from '../helpers/postgres.ts';

/* The PostgreSQL twin used through drizzle on a real server: values come back as the SQLite schema gives them. */

const postgres = usePostgres();
const pools: pg.Pool[] = [];
afterEach(async () => {
  for (const pool of pools.splice(0)) await pool.end();
});

async function migratedDb(): Promise<NodePgDatabase<typeof schema>> {
  return (await migratedDatabase()).db;
}

async function migratedDatabase(): Promise<{ db: NodePgDatabase<typeof schema>; pool: pg.Pool }> {
  const pool = new pg.Pool(await postgres().createDatabase());
  pools.push(pool);
  const db = drizzle({ client: pool, schema });
  await migrate(db, { migrationsFolder: fileURLToPath(new URL('../../migrations/pg', import.meta.url)) });
  return { db, pool };
}

/**
 * A session listening on the read model's channel, as every server process does (decision 199): `after(write)`
 * runs the write, then a marker notice of its own, and answers how many read-model notices came before the
 * marker. Notices arrive in commit order, so the marker says that everything the write sent has arrived.
 */
async function readModelListener(pool: pg.Pool) {
  const client = new pg.Client(pool.options);
  await client.connect();
  pools.push({ end: () => client.end() } as pg.Pool);
  await client.query('LISTEN santong_read_model');
  const heard: string[] = [];
  let marked: (() => void) | undefined;
  client.on('notification', (notice) => (notice.payload === 'marker' ? marked?.() : heard.push(notice.payload!)));
  return async (write: () => Promise<unknown>): Promise<number> => {
    heard.length = 0;
    await write();
    await new Promise<void>((resolve) => {
      marked = resolve;
      void pool.query(`NOTIFY santong_read_model, 'marker'`);
    });
    return heard.length;
  };
}

// drizzle wraps the driver's error; its cause carries PostgreSQL's SQLSTATE.
const foreignKeyViolation = '23503';

// Past 2^31 ms since 1970 (any date after January 1970), so a 32-bit column would not hold it.
const enrolledAt = Date.parse('2026-09-01T08:00:00+08:00');

describe('the PostgreSQL twin through drizzle', () => {
  it('stores and reads back a division, a school and a device', async () => {
    const db = await migratedDb();
    await db.insert(schema.divisions).values({ code: '622921', name: '临夏县', level: 'county', parentCode: '622900' });
    await db.insert(schema.schools).values({
      code: '6229210001',
      name: '测试第一小学',
      countyCode: '622921',
      typeCode: '211',
      urbanRuralCode: '121',
      createdAt: enrolledAt,
      updatedAt: enrolledAt,
    });
    const [classroom] = await db
      .insert(schema.classrooms)
      .values({ schoolCode: '6229210001', code: '1-1', name: '一年级一班' })
      .returning();
    await db.insert(schema.devices).values({
      id: 'device-1',
      schoolCode: '6229210001',
      classroomId: classroom!.id,
      hostname: 'PC-1-1',
      keyHash: 'sha256-of-the-key',
      enrolledAt,
    });

    const found = await db
      .select({ device: schema.devices, school: schema.schools.name, county: schema.divisions.name })
      .from(schema.devices)
      .innerJoin(schema.schools, eq(schema.schools.code, schema.devices.schoolCode))
      .innerJoin(schema.divisions, eq(schema.divisions.code, schema.schools.countyCode))
      .where(eq(schema.devices.id, 'device-1'));
    expect(found).toEqual([
      {
        device: expect.objectContaining({ id: 'device-1', classroomId: 1, hostname: 'PC-1-1', enrolledAt }),
        school: '测试第一小学',
        county: '临夏县',
      },
    ]);
    expect(typeof found[0]!.device.enrolledAt).toBe('number');
  });

  it('refuses a device at a school it does not know', async () => {
    const db = await migratedDb();
    const orphan = { id: 'device-x', schoolCode: '0000000000', hostname: 'PC', keyHash: 'k', enrolledAt };
    await expect(db.insert(schema.devices).values(orphan)).rejects.toHaveProperty('cause.code', foreignKeyViolation);
  });

  it('reads 0/1 flags as booleans, JSON as values and bytes as a Buffer, and sums flags as SQLite does', async () => {
    const db = await migratedDb();
    await db.insert(schema.platforms).values({
      kind: 'resource',
      level: 'prefecture',
      ownerCode: '622900',
      name: '临夏州教育资源公共服务平台',
      url: 'https://example.invalid/',
      createdAt: enrolledAt,
      updatedAt: enrolledAt,
    });
    const probe = { platformId: 1, at: enrolledAt, statusCode: 200 };
    await db.insert(schema.platformProbes).values([
      { ...probe, up: true },
      { ...probe, up: false },
      { ...probe, up: true },
    ]);
    const probes = await db.select({ up: schema.platformProbes.up }).from(schema.platformProbes);
    expect(probes.map((p) => p.up)).toEqual([true, false, true]);
    const { rows } = await db.execute(sql`select sum(up)::int as up from platform_probes`);
    expect(rows).toEqual([{ up: 2 }]);

    const document = { targets: { bandwidthMbps: 100 }, note: '联网攻坚' };
    await db.insert(schema.plans).values({ document, importedAt: enrolledAt, source: 'test' });
    const [plan] = await db.select().from(schema.plans);
    expect(plan!.document).toEqual(document);

    const bundle = Buffer.from([0, 1, 2, 0xfe, 0xff]);
    const release = { version: '1.2.3', bundle, sha256: 'h', signature: 's', publishedAt: enrolledAt };
    await db.insert(schema.agentReleases).values(release);
    const [stored] = await db.select().from(schema.agentReleases);
    expect(Buffer.compare(stored!.bundle, bundle)).toBe(0);
  });

  it('notifies the servers of read-model changes, once per transaction, and refuses to change the audit log', async () => {
    const { db, pool } = await migratedDatabase();
    const notices = await readModelListener(pool);
    expect(
      await notices(() => db.insert(schema.divisions).values({ code: '622922', name: '康乐县', level: 'county' })),
    ).toBe(1);

    // A rollup rewritten with the same figures notifies nobody; a changed figure does.
    const rollup = {
      divisionCode: '622922',
      schoolsRegistered: 0,
      schoolsConnected: 0,
      schoolsMeetingStandard: 0,
      classroomsRegistered: 0,
      classroomsEquipped: 0,
      devicesEnrolled: 0,
      devicesLive: 0,
      devicesAtRisk: 0,
      devicesSilent: 0,
      devicesNever: 0,
      updatedAt: enrolledAt,
    };
    expect(await notices(() => db.insert(schema.divisionRollups).values(rollup))).toBe(1);
    expect(await notices(() => db.update(schema.divisionRollups).set({ updatedAt: enrolledAt + 1 }))).toBe(0);
    expect(await notices(() => db.update(schema.divisionRollups).set({ devicesLive: 1 }))).toBe(1);

    // Many rows in one transaction: one notice, after the commit; inside, every change marks the transaction anew.
    const marks: (string | null)[] = [];
    const mark = async (tx: { execute: typeof db.execute }) =>
      marks.push(
        (
          (await tx.execute(sql`select current_setting('santong.read_model_moved', true) as moved`)).rows[0] as {
            moved: string | null;
          }
        ).moved,
      );
    const inOne = await notices(() =>
      db.transaction(async (tx) => {
        await mark(tx);
        await tx.insert(schema.divisions).values({ code: '622923', name: '广河县', level: 'county' });
        await mark(tx);
        await tx.insert(schema.divisions).values({ code: '622924', name: '和政县', level: 'county' });
        await mark(tx);
      }),
    );
    expect(inOne).toBe(1);
    expect([null, '']).toContain(marks[0]);
    expect(marks[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(marks[2]).toMatch(/^[0-9a-f-]{36}$/);
    expect(marks[2]).not.toBe(marks[1]);

    await db.insert(schema.auditLog).values({
      at: enrolledAt,
      actor: 'cli:test',
      action: 'create',
      entityType: 'division',
      entityId: '622922',
      newValue: { name: '康乐县' },
      reason: 'set up by the test',
    });
    const refused = expect.stringMatching(/append-only/);
    await expect(db.update(schema.auditLog).set({ reason: 'rewritten' })).rejects.toHaveProperty(
      'cause.message',
      refused,
    );
    await expect(db.delete(schema.auditLog)).rejects.toHaveProperty('cause.message', refused);
  });
});
