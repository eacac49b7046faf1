import type Database from 'better-sqlite3';
import { affinityOf, fkAction, normalizeSql, type SchemaShape, type TableShape } from './shape.ts';

interface ColumnRow {
  name: string;
  type: string;
  notnull: number;
  dflt_value: string | null;
  pk: number;
}
interface IndexRow {
  name: string;
  unique: number;
  origin: string;
  partial: number;
}
interface ForeignKeyRow {
  id: number;
  table: string;
  from: string;
  to: string;
  on_update: string;
  on_delete: string;
}

/** The shape of a SQLite database: sqlite_master and the table, index and foreign-key pragmas. */
export function sqliteShape(sqlite: Database.Database): SchemaShape {
  const master = sqlite
    .prepare(
      `select type, name, tbl_name as tableName, sql from sqlite_master
       where name not like 'sqlite_%' and name <> '__drizzle_migrations' order by name`,
    )
    .all() as { type: string; name: string; tableName: string; sql: string | null }[];
  const shape: SchemaShape = {};
  for (const { name: table } of master.filter((m) => m.type === 'table')) {
    const columns = sqlite.pragma(`table_info(${JSON.stringify(table)})`) as ColumnRow[];
    const entry: TableShape = {
      columns: Object.fromEntries(
        columns.map((c) => [
          c.name,
          { affinity: affinityOf(c.type), notNull: c.notnull === 1, default: normalizeSql(c.dflt_value) },
        ]),
      ),
      primaryKey: columns
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name),
      indexes: {},
      foreignKeys: foreignKeys(sqlite, table),
      triggers: master
        .filter((m) => m.type === 'trigger' && m.tableName === table)
        .map((m) => m.name)
        .sort(),
      rows: (sqlite.prepare(`select count(*) as n from "${table}"`).get() as { n: number }).n,
    };
    for (const index of sqlite.pragma(`index_list(${JSON.stringify(table)})`) as IndexRow[]) {
      if (index.origin === 'pk') continue;
      const columnsOf = sqlite.pragma(`index_info(${JSON.stringify(index.name)})`) as { seqno: number; name: string }[];
      const definition = master.find((m) => m.name === index.name)?.sql ?? '';
      entry.indexes[index.name] = {
        columns: columnsOf.sort((a, b) => a.seqno - b.seqno).map((c) => c.name),
        unique: index.unique === 1,
        where: index.partial === 1 ? normalizeSql(definition.replace(/^[\s\S]*\bWHERE\b/i, '')) : null,
      };
    }
    shape[table] = entry;
  }
  const views = master.filter((m) => m.type === 'view').map((m) => m.name);
  if (views.length > 0) throw new Error(`views are not compared yet: ${views.join(', ')}`);
  return shape;
}

function foreignKeys(sqlite: Database.Database, table: string): string[] {
  const rows = sqlite.pragma(`foreign_key_list(${JSON.stringify(table)})`) as ForeignKeyRow[];
  const byId = new Map<number, ForeignKeyRow[]>();
  for (const row of rows) byId.set(row.id, [...(byId.get(row.id) ?? []), row]);
  return [...byId.values()]
    .map((parts) => {
      const [first] = parts as [ForeignKeyRow];
      const from = parts.map((p) => p.from).join(',');
      const to = parts.map((p) => p.to).join(',');
      return `${from} → ${first.table}(${to}) on update ${fkAction(first.on_update)} on delete ${fkAction(first.on_delete)}`;
    })
    .sort();
}
