import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.ts';

/** A documented route: its method and Hono path. */
interface RouteEntry {
  method: string;
  path: string;
}

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

// Hono path syntax to a regular expression: `:name` is one segment, `:name{re}` that pattern, `*` anything.
function pathPattern(path: string): RegExp {
  const source = path
    .split(/(:\w+(?:\{[^}]*\})?|\*)/)
    .map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.+?^$()|[\]\\{}]/g, '\\$&');
      if (part === '*') return '.*';
      const custom = /\{([^}]*)\}$/.exec(part);
      return custom ? `(?:${custom[1]})` : '[^/]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

/** The documented methods of each path: exact paths in a map, paths with parameters under their static prefix. */
function knownPaths(routes: readonly RouteEntry[]) {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    byPath.set(route.path, methods);
  }
  const exact = new Map<string, Set<string>>();
  const patterns = new Map<string, KnownPath[]>();
  for (const [path, methods] of byPath) {
    if (!/[:*]/.test(path)) {
      exact.set(path, methods);
      continue;
    }
    const segments = path.split('/').slice(1);
    const fixed = segments.findIndex((s) => /[:*]/.test(s));
    const key = prefixes(path)[Math.min(fixed, PREFIX_DEPTH)] ?? '';
    patterns.set(key, [...(patterns.get(key) ?? []), { pattern: pathPattern(path), methods }]);
  }
  return { exact, patterns };
}

/** Patterns are filed under at most this many leading segments of their static part ('/api/v1/schools'). */
const PREFIX_DEPTH = 3;

/** '' and the path's first one to PREFIX_DEPTH segments: '/api/v1/schools/x' → ['', '/api', '/api/v1', '/api/v1/schools']. */
function prefixes(path: string): string[] {
  const keys = [''];
  let end = 0;
  for (let depth = 0; depth < PREFIX_DEPTH; depth++) {
    end = path.indexOf('/', end + 1);
    if (end === -1) break;
    keys.push(path.slice(0, end));
  }
  if (end === -1 && keys.length <= PREFIX_DEPTH) keys.push(path);
  return keys;
}

/**
 * 405 with an Allow header for a method a documented path does not have (RFC 9110 §15.5.6), before any auth,
 * limit or parsing: a client that sends DELETE to a read-only path learns what the path takes instead of
 * a 404 that says the path does not exist. The routes are the OpenAPI document's (a test holds them equal to
 * what the app registers); pages are left to their own handling: browsers send them only GET and form POSTs.
 * It runs before every request, so a documented method on an exact path costs one map lookup, and other
 * paths test only the patterns filed under their own leading segments (`/healthz` and most pages test none).
 */
export function methodNotAllowed(routes: readonly RouteEntry[]): MiddlewareHandler<AppEnv> {
  const { exact, patterns } = knownPaths(routes);
  return async (c, next) => {
    const path = c.req.path;
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
    const known = exact.get(path);
    if (known?.has(method)) return next();
    const allowed = new Set(known);
    for (const key of prefixes(path))
      for (const k of patterns.get(key) ?? []) if (k.pattern.test(path)) k.methods.forEach((m) => allowed.add(m));
    if (allowed.size === 0 || allowed.has(method)) return next();
    if (allowed.has('GET')) allowed.add('HEAD');
    const allow = [...allowed].sort().join(', ');
    return c.json(
      { error: `${c.req.method} is not a method of ${path}; it takes ${allow}`, code: 'method_not_allowed' },
      405,
      { allow },
    );
  };
}
