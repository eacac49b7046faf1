import type { ApiPrincipal } from './auth/api-tokens.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './log.ts';

/** What every route can use: passed in by createApp, so tests build an app over their own database. */
export interface AppDeps {
  db: Db;
  logger: Logger;
  /** The time source (ms since epoch); tests pass a controllable clock. */
  clock: () => number;
  maxReportBodyBytes: number;
}

export interface AppEnv {
  Variables: AppDeps & {
    device: { id: string; schoolCode: string };
    principal: ApiPrincipal;
  };
}
