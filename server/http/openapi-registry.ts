import type { z } from 'zod';

/** What one answer of a route carries, as the OpenAPI document states it. */
export interface ResponseDoc {
  description: string;
  /** A JSON body of this shape. */
  schema?: z.ZodType;
  /** The same rows as a table: `?format=csv` (text/csv) and `?format=xlsx` (an XLSX workbook). */
  csv?: boolean;
  /** Bytes of no particular type (application/octet-stream). */
  binary?: boolean;
  /** A text body of this media type, e.g. text/html or text/javascript. */
  text?: string;
}

/**
 * What a route declares about itself for the OpenAPI document. Each route file exports the list for
 * its routes next to the handlers, with the same zod schemas the handlers validate with. The answers every
 * route of a kind gives are added by the document builder (openapi.ts): 400 where input is validated,
 * 401 and 403 where a key or token is needed, 413 where a body is read, 429 where a rate limit applies.
 */
export interface RouteDoc {
  method: 'get' | 'post' | 'delete' | 'put' | 'patch';
  /** Hono path syntax, e.g. /api/v1/schools/:code */
  path: string;
  summary: string;
  tag: string;
  auth: 'none' | 'device-key' | 'api-token';
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ResponseDoc>;
}
