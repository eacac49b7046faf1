import { z } from 'zod';
import { ConfigError } from './config.ts';
import type { AgentLang } from './lang.ts';
import { wordsFor } from './words.ts';

/**
 * `--server` as typed at the edge: a scheme is required, so `127.0.0.1:8080` is refused with the fix in the
 * message instead of failing later as a connection (or proxy) problem. Plain http:// is judged by enroll.
 */
export function parseServerFlag(given: string, lang: AgentLang): string {
  const w = wordsFor(lang);
  const schema = z
    .string()
    .trim()
    .refine((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s), { error: w.serverNoScheme(given) })
    .pipe(z.url({ protocol: /^https?$/, error: w.serverNotUrl(given) }));
  const parsed = schema.safeParse(given);
  if (!parsed.success) throw new ConfigError(parsed.error.issues[0]?.message ?? w.serverNotUrl(given));
  return parsed.data;
}
