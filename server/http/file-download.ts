import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { pipeline, Readable, Transform } from 'node:stream';

/** A file on disk to send as an attachment, with the SHA-256 its bytes must have. */
export interface DownloadFile {
  path: string;
  fileName: string;
  contentType: string;
  sha256: string;
}

/** The one byte range a `Range: bytes=…` header asks for within `size`; null for the whole file, 'unsatisfiable' past its end. */
export function requestedRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  // Several ranges, or any other unit, are answered with the whole file, as RFC 9110 allows.
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    return suffix === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * The whole file passed through with its SHA-256 computed on the way; the last chunk is held back until the
 * digest is known, and withheld when it is not `sha256`: a file changed on disk since it was signed ends in a
 * broken download, never in complete-looking altered bytes.
 */
function verifiedAsSent(sha256: string, onMismatch: (actual: string) => void): Transform {
  const hash = createHash('sha256');
  let held: Buffer | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      if (held) this.push(held);
      held = chunk;
      done();
    },
    flush(done) {
      const actual = hash.digest('hex');
      if (actual !== sha256) {
        onMismatch(actual);
        done(new Error(`the file's SHA-256 is ${actual}, not the signed ${sha256}`));
        return;
      }
      if (held) this.push(held);
      done();
    },
  });
}

/**
 * A streamed download of `file` (never read into memory: the executables are ~95 MiB) with Content-Length, an
 * ETag of its SHA-256 and one byte range when asked (206; a resumed download is served as is, since only the
 * whole file can be checked); `If-Range` with another ETag gets the whole file.
 */
export function fileDownload(
  file: DownloadFile,
  request: { method: string; range?: string; ifRange?: string },
  onMismatch: (actual: string) => void,
): Response {
  const size = fs.statSync(file.path).size;
  const etag = `"${file.sha256}"`;
  const headers: Record<string, string> = {
    'content-type': file.contentType,
    'content-disposition': `attachment; filename="${file.fileName}"`,
    'accept-ranges': 'bytes',
    etag,
  };
  const range = request.ifRange && request.ifRange !== etag ? null : requestedRange(request.range, size);
  // HEAD: the headers alone, without opening the file for a body nobody reads.
  if (request.method === 'HEAD') return new Response(null, { headers: { ...headers, 'content-length': String(size) } });
  if (range === 'unsatisfiable')
    return new Response(null, { status: 416, headers: { ...headers, 'content-range': `bytes */${size}` } });
  if (range) {
    const part = fs.createReadStream(file.path, { start: range.start, end: range.end });
    return new Response(Readable.toWeb(part) as ReadableStream, {
      status: 206,
      headers: {
        ...headers,
        'content-length': String(range.end - range.start + 1),
        'content-range': `bytes ${range.start}-${range.end}/${size}`,
      },
    });
  }
  const whole = pipeline(fs.createReadStream(file.path), verifiedAsSent(file.sha256, onMismatch), () => {});
  return new Response(Readable.toWeb(whole) as ReadableStream, {
    status: 200,
    headers: { ...headers, 'content-length': String(size) },
  });
}
