import type { z } from 'zod';

/**
 * What a route declares about itself for the OpenAPI document. Each route file exports the list for
 * its routes next to the handlers, with the same zod schemas the handlers validate with.
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
  responses: Record<
    number,
    { description: string; schema?: z.ZodType; csv?: boolean; xlsx?: boolean; binary?: boolean }
  >;
}
