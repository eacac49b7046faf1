import { z } from 'zod';

/** Server settings: flags win over environment variables, which win over defaults. */
export const serverConfigSchema = z.object({
  port: z.coerce.number().int().min(0, 'PORT must be 0–65535').max(65535, 'PORT must be 0–65535').default(8080),
  host: z.string().min(1).default('0.0.0.0'),
  dataDir: z.string().min(1).default('./data'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** node-cron expression for the aging sweep that moves figures on as evidence gets old. */
  agingSchedule: z.string().default('*/5 * * * *'),
  /** Largest request body accepted on report ingest, in bytes (413 beyond it, before parsing). */
  maxReportBodyBytes: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
});
export type ServerConfig = z.infer<typeof serverConfigSchema>;

/** Parses settings or throws an Error whose message names every bad setting and what it takes. */
export function parseServerConfig(flags: Record<string, string | undefined>, env: NodeJS.ProcessEnv): ServerConfig {
  const result = serverConfigSchema.safeParse({
    port: flags.port ?? env.PORT,
    host: flags.host ?? env.HOST,
    dataDir: flags['data-dir'] ?? env.SANTONG_DATA_DIR,
    logLevel: flags['log-level'] ?? env.LOG_LEVEL,
    agingSchedule: env.SANTONG_AGING_SCHEDULE,
    maxReportBodyBytes: env.SANTONG_MAX_REPORT_BODY_BYTES,
  });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid server settings:\n${lines.join('\n')}`);
  }
  return result.data;
}
