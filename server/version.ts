import { createRequire } from 'node:module';

/** The server's version, from package.json, shown in the OpenAPI document and logs. */
export const SERVER_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string })
  .version;
