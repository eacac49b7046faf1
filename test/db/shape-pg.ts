import type pg from 'pg';
import { affinityOf, fkAction, normalizeSql, type SchemaShape } from './shape.ts';

/** Column names of an attribute-number array, in the array's order. */
const names = (attnums: string, relation: string) =>
  `array(select a.attname::text from unnest(${attnums}::int2[]) with ordinality k(attnum, ord)
         join pg_attribute a on a.attrelid = ${relation} and a.attnum = k.attnum order by k.ord)`;

const inPublic = `join pg_namespace ns on ns.oid = t.relnamespace and ns.nspname = 'public'`;

/**
 * The shape of a PostgreSQL database's public schema: information_schema and pg_catalog. A partitioned table is
 * one table (its partitions, which repeat its columns, keys and indexes, are left out).
 */
export async function postgresShape(client: pg.ClientBase): Promise<SchemaShape> {
  const shape: SchemaShape = {};
  const tables = await client.query<{ table: string }>(
    `select table_name as table from information_schema.tables
     where table_schema = 'public' and table_type = 'BASE TABLE'
       and not exists (select 1 from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
                       where ns.nspname = 'public' and c.relname = table_name and c.relispartition)
     order by table_name`,
  );
  for (const { table } of tables.rows) {
    const rows = await client.query<{ n: number }>(`select count(*)::int as n from "${table}"`);
    shape[table] = { columns: {}, primaryKey: [], indexes: {}, foreignKeys: [], triggers: [], rows: rows.rows[0]!.n };
  }
  const views = await client.query(`select table_name from information_schema.views where table_schema = 'public'`);
  if (views.rowCount) throw new Error(`views are not compared yet: ${views.rows.map((v) => v.table_name).join(', ')}`);

  const columns = await client.query<{
    table: string;
    column: string;
    type: string;
    nullable: string;
    default: string | null;
  }>(
    `select table_name as table, column_name as column, data_type as type, is_nullable as nullable,
            column_default as default
     from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position`,
  );
  for (const c of columns.rows) {
    if (!shape[c.table]) continue; // a view's columns
    shape[c.table]!.columns[c.column] = {
      affinity: affinityOf(c.type),
      notNull: c.nullable === 'NO',
      default: normalizeSql(c.default),
    };
  }

  const indexes = await client.query<{
    table: string;
    name: string;
    primary: boolean;
    unique: boolean;
    where: string | null;
    columns: string[];
  }>(
    `select t.relname as table, ic.relname as name, i.indisprimary as primary, i.indisunique as unique,
            pg_get_expr(i.indpred, i.indrelid) as where, ${names('i.indkey', 'i.indrelid')} as columns
     from pg_index i join pg_class t on t.oid = i.indrelid join pg_class ic on ic.oid = i.indexrelid ${inPublic}
     order by t.relname, ic.relname`,
  );
  for (const i of indexes.rows) {
    if (!shape[i.table]) continue; // a partition's
    if (i.primary) shape[i.table]!.primaryKey = i.columns;
    else shape[i.table]!.indexes[i.name] = { columns: i.columns, unique: i.unique, where: normalizeSql(i.where) };
  }

  const foreignKeys = await client.query<{
    table: string;
    ref: string;
    from: string[];
    to: string[];
    upd: string;
    del: string;
  }>(
    `select t.relname as table, ft.relname as ref, ${names('c.conkey', 'c.conrelid')} as from,
            ${names('c.confkey', 'c.confrelid')} as to, c.confupdtype as upd, c.confdeltype as del
     from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_class ft on ft.oid = c.confrelid ${inPublic}
     where c.contype = 'f'`,
  );
  for (const f of foreignKeys.rows) {
    if (!shape[f.table]) continue;
    const text = `${f.from.join(',')} → ${f.ref}(${f.to.join(',')}) on update ${fkAction(f.upd)} on delete ${fkAction(f.del)}`;
    shape[f.table]!.foreignKeys.push(text);
  }

  const triggers = await client.query<{ table: string; name: string }>(
    `select t.relname as table, g.tgname as name from pg_trigger g join pg_class t on t.oid = g.tgrelid ${inPublic}
     where not g.tgisinternal order by g.tgname`,
  );
  for (const g of triggers.rows) shape[g.table]?.triggers.push(g.name);
  for (const table of Object.values(shape)) {
    table.foreignKeys.sort();
    table.triggers.sort();
  }
  return shape;
}
