import { z } from 'zod';
import { divisionCodeSchema } from '../shared/schemas/division-code.ts';

/** Request limits (docs/decisions/050-request-limits.md); 0 turns a rate limit off. */
export interface RequestLimits {
  /** Largest body on every write route without a limit of its own (reports and speed-test uploads have theirs). */
  maxBodyBytes: number;
  enrollPerIpPerMinute: number;
  loginPerIpPerMinute: number;
  reportsPerIpPerMinute: number;
  reportBatchesPerDevicePerHour: number;
}

export const defaultRequestLimits: RequestLimits = {
  maxBodyBytes: 256 * 1024,
  enrollPerIpPerMinute: 120,
  loginPerIpPerMinute: 30,
  reportsPerIpPerMinute: 1200,
  reportBatchesPerDevicePerHour: 60,
};

/** Server settings: flags win over environment variables, which win over defaults. */
export const serverConfigSchema = z.object({
  port: z.coerce.number().int().min(0, 'PORT must be 0–65535').max(65535, 'PORT must be 0–65535').default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  dataDir: z.string().min(1).default('./data'),
  /**
   * PostgreSQL instead of SQLite under the data directory (issue 14, decision 180): a libpq-style URL, e.g.
   * postgres://santong@db.example.cn/santong. Absent: SQLite, the embedded default.
   */
  databaseUrl: z
    .string()
    .regex(
      /^postgres(ql)?:\/\/\S+$/,
      'SANTONG_DATABASE_URL (--database-url) takes a PostgreSQL URL, postgres://USER@HOST[:PORT]/DATABASE; leave it unset for SQLite under the data directory',
    )
    .optional(),
  /**
   * The deployment's root division (decision 141): 000000 the country, a province or a prefecture; stored with
   * the data at first use (Linxia 622900 when none is given) and refused later if it differs.
   */
  root: divisionCodeSchema.optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** node-cron expression for the aging sweep that moves figures on as evidence gets old. */
  agingSchedule: z.string().default('* * * * *'),
  /** Largest request body accepted on report ingest, in bytes (413 beyond it, before parsing). */
  maxReportBodyBytes: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024),
  /** Raw reports are kept this long, then folded into daily rows per device (bounded storage). */
  retentionDays: z.coerce
    .number()
    .int()
    .min(35, 'SANTONG_RETENTION_DAYS must be at least 35: evidence windows need a month of raw reports')
    .max(3650)
    .default(180),
  /** Largest body on every other write route, in bytes (413 before parsing). */
  maxBodyBytes: z.coerce.number().int().min(1024).default(defaultRequestLimits.maxBodyBytes),
  /** Rate limits, 0 = off; why these defaults: docs/decisions/050-request-limits.md. */
  enrollPerIpPerMinute: z.coerce.number().int().min(0).default(defaultRequestLimits.enrollPerIpPerMinute),
  loginPerIpPerMinute: z.coerce.number().int().min(0).default(defaultRequestLimits.loginPerIpPerMinute),
  reportsPerIpPerMinute: z.coerce.number().int().min(0).default(defaultRequestLimits.reportsPerIpPerMinute),
  reportBatchesPerDevicePerHour: z.coerce
    .number()
    .int()
    .min(0)
    .default(defaultRequestLimits.reportBatchesPerDevicePerHour),
  /** node-cron expression for probing every platform's URL (两平台 reachability). */
  probeSchedule: z.string().default('*/10 * * * *'),
  /** How long one probe may take, redirects included, before the platform counts as down. */
  probeTimeoutMs: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Serve the unauthenticated public aggregates (信息公开); off unless the bureau turns it on. */
  publicDisclosure: z
    .enum(['0', '1', 'false', 'true'], 'SANTONG_PUBLIC_DISCLOSURE takes 1 or 0')
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  /** Behind a reverse proxy: key login throttling on X-Forwarded-For and mark cookies Secure per X-Forwarded-Proto. */
  trustProxy: z
    .enum(['0', '1', 'false', 'true'], 'SANTONG_TRUST_PROXY takes 1 or 0')
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  /** Browsers reach the dashboard over HTTPS only (directly or through the proxy): send HSTS and name cookies `__Host-…`. */
  httpsOnly: z
    .enum(['0', '1', 'false', 'true'], 'SANTONG_HTTPS_ONLY takes 1 or 0')
    .default('0')
    .transform((v) => v === '1' || v === 'true'),
  /**
   * The address school PCs reach this server at (the agent's --server), as written into the install commands
   * the dashboard shows; without it they fall back to the address the browser used, with a note saying so.
   */
  publicUrl: z
    .url({
      protocol: /^https?$/,
      error:
        'SANTONG_PUBLIC_URL (--public-url) takes the http(s) address school PCs reach this server at, e.g. https://santong.example.cn',
    })
    .refine((u) => !/[?#]/.test(u), 'SANTONG_PUBLIC_URL (--public-url) takes an address without ? or #')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

/** Parses settings or throws an Error whose message names every bad setting and what it takes. */
export function parseServerConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ServerConfig {
  const result = serverConfigSchema.safeParse({
    port: flags.port ?? env.PORT,
    host: flags.host ?? env.HOST,
    dataDir: flags['data-dir'] ?? env.SANTONG_DATA_DIR,
    databaseUrl: (flags['database-url'] ?? env.SANTONG_DATABASE_URL) || undefined,
    root: flags.root ?? env.SANTONG_ROOT_DIVISION,
    logLevel: flags['log-level'] ?? env.LOG_LEVEL,
    agingSchedule: env.SANTONG_AGING_SCHEDULE,
    maxReportBodyBytes: env.SANTONG_MAX_REPORT_BODY_BYTES,
    retentionDays: env.SANTONG_RETENTION_DAYS,
    maxBodyBytes: env.SANTONG_MAX_BODY_BYTES,
    enrollPerIpPerMinute: env.SANTONG_ENROLL_PER_IP_PER_MINUTE,
    loginPerIpPerMinute: env.SANTONG_LOGIN_PER_IP_PER_MINUTE,
    reportsPerIpPerMinute: env.SANTONG_REPORTS_PER_IP_PER_MINUTE,
    reportBatchesPerDevicePerHour: env.SANTONG_REPORT_BATCHES_PER_DEVICE_PER_HOUR,
    probeSchedule: env.SANTONG_PROBE_SCHEDULE,
    probeTimeoutMs: env.SANTONG_PROBE_TIMEOUT_MS,
    publicDisclosure: env.SANTONG_PUBLIC_DISCLOSURE,
    trustProxy: env.SANTONG_TRUST_PROXY,
    httpsOnly: env.SANTONG_HTTPS_ONLY,
    publicUrl: (flags['public-url'] ?? env.SANTONG_PUBLIC_URL) || undefined,
  });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid server settings:\n${lines.join('\n')}`);
  }
  return result.data;
}
