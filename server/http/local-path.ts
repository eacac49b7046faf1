/*
 * Where a redirect that takes its target from the request (`/login?next=`, `/lang/en?back=`) may go:
 * a path on this site and nothing else. Prefix checks on the raw text are not enough: browsers drop tabs
 * and line breaks from a Location before reading it, so `/\t/evil.example` arrives as `//evil.example`
 * (another origin), and a raw line break in a header is a 500. The target is read the way a browser reads
 * it (the WHATWG URL parser) against a stand-in origin, and what comes back is the parser's own
 * serialisation: percent-encoded, printable ASCII, fit for a header.
 */
const standIn = 'http://santong.invalid';

/** A same-origin path to redirect to (path, query and fragment, percent-encoded); anything else becomes "/". */
export function safeLocalPath(target: string | undefined): string {
  if (!target) return '/';
  let url: URL;
  try {
    url = new URL(target, `${standIn}/`);
  } catch {
    return '/';
  }
  const local = url.pathname + url.search + url.hash;
  // `/.//evil.example` stays on the stand-in origin but serialises to `//evil.example`: another origin again.
  return url.origin === standIn && local.startsWith('/') && !local.startsWith('//') ? local : '/';
}
