/*
 * Content negotiation for answers kept compressed (decision 194). Only gzip: every browser, `curl --compressed`,
 * Python's requests and Node's fetch ask for it, and one encoding keeps one extra copy per kept answer.
 */

/**
 * True when an Accept-Encoding header accepts gzip (RFC 9110 §12.5.3): `gzip` or `*` with a q-value above 0,
 * unless gzip itself is named with q=0. No header means identity only, as the RFC leaves it to us and a client
 * that cannot inflate must still be able to read every answer.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let gzip: number | undefined;
  let any: number | undefined;
  for (const part of header.split(',')) {
    const [name, ...params] = part.split(';');
    const coding = name!.trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
    const weight = q === undefined ? 1 : Number(q);
    if (coding === '*') any = weight;
    else gzip = weight;
  }
  return (gzip ?? any ?? 0) > 0;
}
