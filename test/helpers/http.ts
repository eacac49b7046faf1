import type { App } from '../../server/app.ts';

/** A JSON request through app.request(), returning status and parsed body. */
export async function requestJson(
  app: App,
  method: string,
  path: string,
  options: { body?: unknown; bearer?: string; rawBody?: string } = {},
) {
  const headers: Record<string, string> = {};
  if (options.body !== undefined || options.rawBody !== undefined) headers['content-type'] = 'application/json';
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  const response = await app.request(path, {
    method,
    headers,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (CSV): keep the text
  }
  return { status: response.status, body, headers: response.headers };
}
