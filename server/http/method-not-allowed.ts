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

function knownPaths(routes: readonly RouteEntry[]): KnownPath[] {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    byPath.set(route.path, methods);
  }
  return [...byPath].map(([path, methods]) => ({ pattern: pathPattern(path), methods }));
}

/**
 * 405 with an Allow header for a method a documented path does not have (RFC 9110 §15.5.6), before any auth,
 * limit or parsing: a client that sends DELETE to a read-only path learns what the path takes instead of
 * a 404 that says the path does not exist. The routes are the OpenAPI document's (a test holds them equal to
 * what the app registers); pages are left to their own handling: browsers send them only GET and form POSTs.
 */
export function methodNotAllowed(routes: readonly RouteEntry[]): MiddlewareHandler<AppEnv> {
  const known = knownPaths(routes);
  return async (c, next) => {
    const path = c.req.path;
    const allowed = new Set(known.filter((k) => k.pattern.test(path)).flatMap((k) => [...k.methods]));
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method;
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
