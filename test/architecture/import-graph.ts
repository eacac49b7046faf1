import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The import graph of the house at folder level, read from the source text: every static `import … from`,
 * `export … from` and dynamic `import('…')` with a relative specifier. Used by the architecture test and
 * printed by `npm run -s graph` for issue notes ("before/after").
 */

const SOURCE = /\.(ts|tsx|mjs)$/;
const SPECIFIER =
  /(?:^|\s)(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;

export type FileImport = { from: string; to: string };

/** Every relative import between files under `roots` (repo-relative paths, forward slashes). */
export function fileImports(repo: string, roots: readonly string[]): FileImport[] {
  const edges: FileImport[] = [];
  for (const root of roots) {
    for (const file of walk(join(repo, root))) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(SPECIFIER)) {
        const spec = m[1] ?? m[2] ?? m[3];
        if (!spec?.startsWith('.')) continue;
        edges.push({ from: repoPath(repo, file), to: repoPath(repo, resolve(dirname(file), spec)) });
      }
    }
  }
  return edges;
}

/** The unit a file belongs to: `server/coverage` for a file in a server folder, `server/app.ts` for a top-level file. */
export function unitOf(path: string): string {
  const parts = path.split('/');
  if (parts[0] === 'server' || parts[0] === 'agent') return parts.length > 2 ? `${parts[0]}/${parts[1]}` : path;
  return parts[0]!;
}

/** Folder-level edges (a unit importing another), each with one file import that makes it, sorted. */
export function unitEdges(imports: readonly FileImport[]): Map<string, FileImport> {
  const edges = new Map<string, FileImport>();
  for (const i of imports) {
    const [a, b] = [unitOf(i.from), unitOf(i.to)];
    if (a !== b && !edges.has(`${a} -> ${b}`)) edges.set(`${a} -> ${b}`, i);
  }
  return new Map([...edges].sort(([x], [y]) => x.localeCompare(y)));
}

/** Strongly connected components with more than one unit: the folder cycles (Tarjan). */
export function unitCycles(edges: Iterable<string>): string[][] {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [a, b] = e.split(' -> ') as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
    if (!next.has(b)) next.set(b, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0]!.localeCompare(b[0]!));
}

function* walk(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) yield* walk(path);
    else if (SOURCE.test(name)) yield path;
  }
}

function repoPath(repo: string, path: string): string {
  return relative(repo, path).split(sep).join('/');
}
