import fc from 'fast-check';

/*
 * What a broken PC, a careless script or an attacker sends: wrong types, huge strings and arrays,
 * deep nesting, numbers and dates out of range, SQL and HTML/script injection, path traversal.
 */

/** Strings that must be stored verbatim when accepted as text and never interpreted. */
export const injectionStrings = [
  "'; DROP TABLE reports; --",
  "Robert'); DELETE FROM schools;--",
  "' OR '1'='1",
  "' UNION SELECT key_hash FROM devices --",
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "</title><svg onload=alert('x')>",
  'javascript:alert(1)',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'line\r\nSet-Cookie: santong_session=stolen',
  'nul\u0000byte',
  'bidi \u202eevil\u202c text',
  '学校 <b>粗体</b> & "引号" \'单引号\'',
  '=HYPERLINK("http://evil.example/","click")',
  '__proto__',
] as const;

export const injection = fc.constantFrom(...injectionStrings);

const farDates = [
  '0001-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  '+275760-09-13T00:00:00Z',
  '-000001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-01-01T25:61:00Z',
  '2026-01-01',
  '0000-00-00',
  '9999-99-99',
  'yesterday',
  '',
];
export const hostileDate = fc.constantFrom(...farDates);

export const hostileNumber = fc.oneof(
  fc.constantFrom(-1, 0, -0, 1.5, -1e308, 1e308, 2 ** 31, 2 ** 53 + 2, -(2 ** 63), Number.MAX_SAFE_INTEGER, 1e-300),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** Up to ~300 kB: beyond every field's cap, under and over the body limits. */
export const hugeString = fc
  .tuple(fc.integer({ min: 1_000, max: 300_000 }), fc.constantFrom('x', '学', '😀', '<', "'"))
  .map(([n, c]) => c.repeat(n));

/** JSON nested `depth` levels deep, as arrays or objects. */
export function nested(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Any hostile JSON value (parsed, so it can be put into an otherwise valid body). */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: injection },
  { weight: 2, arbitrary: hostileNumber },
  { weight: 2, arbitrary: hostileDate },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, '', ' ', '0', 'null', 'NaN') },
  { weight: 1, arbitrary: fc.integer({ min: 50, max: 2_000 }).map((d) => JSON.parse(nested(d, 'array')) as unknown) },
  { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => Array.from({ length: n }, (_, i) => i)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 50 }) },
);

/** Raw bodies that are not the JSON the route wants: broken, invalid UTF-8, absurdly nested, empty. */
export const hostileRawBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc
    .constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '"text"',
      '1e999',
      '{"__proto__":{"admin":true}}',
      '{"a":1,"a":2}',
      'not json at all',
    )
    .map((s) => new TextEncoder().encode(s)),
  fc.constantFrom(
    Uint8Array.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0xc3, 0x28, 0x22, 0x7d]),
    Uint8Array.from([0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80]),
  ),
  fc.uint8Array({ maxLength: 2_000 }),
  fc
    .integer({ min: 1_000, max: 200_000 })
    .chain((d) =>
      fc.constantFrom('array', 'object').map((k) => new TextEncoder().encode(nested(d, k as 'array' | 'object'))),
    ),
);

/** Replaces, deletes or adds one field somewhere in a valid body: the body stays mostly right. */
export function mutate(base: unknown, pick: number, action: 'replace' | 'delete' | 'extra', value: unknown): unknown {
  const copy = structuredClone(base) as Record<string, unknown>;
  const slots: [Record<string, unknown> | unknown[], string | number][] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) (slots.push([node as Record<string, unknown>, k]), walk(v));
  };
  walk(copy);
  if (slots.length === 0) return value;
  const [holder, key] = slots[pick % slots.length]!;
  if (action === 'replace') (holder as Record<string | number, unknown>)[key] = value;
  else if (action === 'delete') Array.isArray(holder) ? holder.splice(key as number, 1) : delete holder[key as string];
  else if (Array.isArray(holder)) holder.push(value);
  else holder[`extra_${pick}`] = value;
  return copy;
}
