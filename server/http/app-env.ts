import type { ApiPrincipal, User, Viewer } from '../access/principals.ts';
import type { Store } from '../db/store.ts';
import type { Logger } from '../log.ts';
import type { Locale } from '../i18n/locale.ts';
import type { RequestLimits } from '../config.ts';

/** What every route can use: passed in by createApp, so tests build an app over their own database. */
export interface AppDeps {
  /** The data, on SQLite or PostgreSQL (decision 180): what route code reads and writes through. */
  store: Store;
  logger: Logger;
  /** The time source (ms since epoch); tests pass a controllable clock. */
  clock: () => number;
  maxReportBodyBytes: number;
  /** Body and rate limits; the defaults of docs/decisions/050-request-limits.md when absent. */
  limits?: RequestLimits;
  /** Reports collected longer ago are past retention (default 180 days). */
  retentionDays?: number;
  /** Serve GET /api/v1/public/coverage without authentication (SANTONG_PUBLIC_DISCLOSURE=1); off when absent. */
  publicDisclosure?: boolean;
  /** Believe X-Forwarded-For / X-Forwarded-Proto from a reverse proxy (SANTONG_TRUST_PROXY=1); off when absent. */
  trustProxy?: boolean;
  /** Served to browsers over HTTPS only (SANTONG_HTTPS_ONLY=1): HSTS and `__Host-` cookies; off when absent. */
  httpsOnly?: boolean;
  /** The data directory, named in the first-run commands of the login page when not ./data. */
  dataDir?: string;
  /** The address school PCs reach the server at (SANTONG_PUBLIC_URL), for the install commands; unset when absent. */
  publicUrl?: string;
  /** Where `santong agent-release offer` put the installers and executables the pages offer; none offered when absent. */
  agentDownloadDir?: string;
}

export interface AppEnv {
  Variables: AppDeps & {
    /** `confirmsNewKey`: the current key of a re-enrolled PC whose previous key still works (decision 065). */
    device: { id: string; schoolCode: string; confirmsNewKey: boolean };
    principal: ApiPrincipal;
    /** Dashboard pages: who is looking (maybe nobody yet), their CSRF token and their language. */
    viewer: Viewer;
    locale: Locale;
    /** Dashboard pages behind requireUser: the signed-in user. */
    user: User;
  };
}
