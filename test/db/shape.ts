/*
 * A database schema reduced to what both dialects can say alike, so a SQLite file and a PostgreSQL
 * database migrated from the two twins (decision 120) can be compared entry by entry.
 */

/** The storage class a column's type falls in, in SQLite's terms (PostgreSQL types are folded onto them). */
export type Affinity = 'integer' | 'real' | 'text' | 'blob';

export interface ColumnShape {
  affinity: Affinity;
  notNull: boolean;
  /** The default as written, normalized (SQLite's `false` and PostgreSQL's `0` are the same 0). */
  default: string | null;
}

export interface IndexShape {
  columns: string[];
  unique: boolean;
  /** The partial index's predicate, normalized; null when the index is whole. */
  where: string | null;
}

export interface TableShape {
  columns: Record<string, ColumnShape>;
  primaryKey: string[];
  /** By name; the implicit index behind a primary key is left out (it is `primaryKey`). */
  indexes: Record<string, IndexShape>;
  /** "cols → table(cols) on update … on delete …", sorted. */
  foreignKeys: string[];
  /** Trigger names on this table, sorted. */
  triggers: string[];
  /** Rows a fresh migrated database holds (seed rows such as read_model_version's). */
  rows: number;
}

export type SchemaShape = Record<string, TableShape>;

/** Folds a declared type onto its SQLite storage class; throws on one this comparison does not know. */
export function affinityOf(declared: string): Affinity {
  const type = declared.toLowerCase();
  if (['integer', 'bigint', 'smallint'].includes(type)) return 'integer';
  if (['real', 'double precision'].includes(type)) return 'real';
  if (['text', 'jsonb', 'json'].includes(type)) return 'text';
  if (['blob', 'bytea'].includes(type)) return 'blob';
  throw new Error(`no affinity known for column type ${declared}`);
}

/** A default or predicate as text both dialects agree on: no quotes, casts, outer parentheses or case. */
export function normalizeSql(text: string | null): string | null {
  if (text === null) return null;
  let s = text
    .replace(/[`"]/g, '')
    .replace(/::[a-z_]+( precision)?/gi, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();
  while (s.startsWith('(') && s.endsWith(')')) s = s.slice(1, -1).trim();
  if (s === 'false') return '0';
  if (s === 'true') return '1';
  return s;
}

/** Foreign-key actions in one vocabulary (PostgreSQL's confdeltype letters and SQLite's words). */
export function fkAction(action: string): string {
  const letters: Record<string, string> = {
    a: 'no action',
    r: 'restrict',
    c: 'cascade',
    n: 'set null',
    d: 'set default',
  };
  return letters[action] ?? action.toLowerCase();
}

/** Every difference between two shapes, one line each ("schools.extra: only in postgres"); empty when alike. */
export function diffShapes(sqlite: SchemaShape, postgres: SchemaShape): string[] {
  const differences: string[] = [];
  const compareKeys = (where: string, a: object, b: object, each: (key: string) => void) => {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (!(key in b)) differences.push(`${where}${key}: only in sqlite`);
      else if (!(key in a)) differences.push(`${where}${key}: only in postgres`);
      else each(key);
    }
  };
  const compareValue = (where: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      differences.push(`${where}: sqlite ${JSON.stringify(a)}, postgres ${JSON.stringify(b)}`);
  };
  compareKeys('', sqlite, postgres, (table) => {
    const [a, b] = [sqlite[table]!, postgres[table]!];
    compareKeys(`${table}.`, a.columns, b.columns, (column) =>
      compareValue(`${table}.${column}`, a.columns[column], b.columns[column]),
    );
    compareKeys(`${table} index `, a.indexes, b.indexes, (index) =>
      compareValue(`${table} index ${index}`, a.indexes[index], b.indexes[index]),
    );
    compareValue(`${table} primary key`, a.primaryKey, b.primaryKey);
    compareValue(`${table} foreign keys`, a.foreignKeys, b.foreignKeys);
    compareValue(`${table} triggers`, a.triggers, b.triggers);
    compareValue(`${table} rows`, a.rows, b.rows);
  });
  return differences;
}
