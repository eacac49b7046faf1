import { hostname } from 'node:os';
import { enrollResponseSchema, type EnrollRequest } from '../shared/schemas/enroll.ts';
import { apiErrorSchema } from '../shared/schemas/error.ts';
import { collectHardwareId } from './collect/device.ts';
import { releaseKeyFingerprint } from '../shared/schemas/release-keys.ts';
import { ConfigError, saveConfig, type AgentConfigInput } from './config.ts';
import { enrollWordsFor } from './enroll-words.ts';
import { createDispatcher, describeError } from './http.ts';
import type { AgentLang } from './lang.ts';
import { AGENT_VERSION } from './version.ts';

export type EnrollOptions = {
  server: string;
  token: string;
  classroom?: string | undefined;
  proxy?: string | undefined;
  caFile?: string | undefined;
  internetTargets?: string[] | undefined;
  /** Enroll over plain HTTP to a server that is not on this PC: the person accepts that the network can see and change it. */
  insecureHttp?: boolean | undefined;
  configPath: string;
  /** The language of what enroll says; Chinese when not given. */
  lang?: AgentLang | undefined;
};

/** A server on this very PC (a test, a demo): plain HTTP to it crosses no network. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/**
 * Enrollment answers with the device key and the release keys this PC will trust for good: over plain
 * HTTP anyone on the path could read the one and replace the other. Refused unless the server is on
 * this PC or the person said `--insecure-http`.
 */
function refusePlainHttp(server: string, insecureHttp: boolean, lang: AgentLang): void {
  const w = enrollWordsFor(lang);
  let url: URL;
  try {
    url = new URL(server);
  } catch {
    throw new ConfigError(w.notUrl(server));
  }
  if (url.protocol === 'https:' || (url.protocol === 'http:' && (insecureHttp || isLoopbackHost(url.hostname)))) return;
  if (url.protocol !== 'http:') throw new ConfigError(w.notHttps(server));
  throw new ConfigError(w.plainHttp(server));
}

/** The lines that show the IT teacher what this PC now trusts, to compare with what the county office shows. */
function pinnedKeyLines(keys: { fingerprint: string }[], lang: AgentLang): string[] {
  const w = enrollWordsFor(lang);
  if (keys.length === 0) return [w.noReleaseKey];
  return [w.pinned(keys.length, keys.map((k) => k.fingerprint).join(', ')), w.compare];
}

/** Trades an enrollment token for a device key and writes the settings file; returns a line for the person. */
export async function enroll(o: EnrollOptions): Promise<string> {
  const lang = o.lang ?? 'zh-CN';
  const w = enrollWordsFor(lang);
  refusePlainHttp(o.server, o.insecureHttp ?? false, lang);
  const body: EnrollRequest = {
    token: o.token,
    hostname: hostname().slice(0, 253) || 'unknown',
    hardware: await collectHardwareId(),
    ...(o.classroom ? { classroom: o.classroom } : {}),
  };
  const dispatcher = createDispatcher({ proxy: o.proxy, caFile: o.caFile });
  let status: number;
  let text: string;
  try {
    const res = await dispatcher.request(new URL('/api/v1/enroll', o.server), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': `santong-agent/${AGENT_VERSION}` },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    status = res.statusCode;
    text = await res.text();
  } catch (error) {
    throw new Error(w.unreachable(o.server, describeError(error)));
  } finally {
    await dispatcher.close();
  }
  const json = safeJson(text);
  if (status < 200 || status >= 300) {
    const apiError = apiErrorSchema.safeParse(json);
    throw new Error(w.refused(status, apiError.success ? apiError.data.error : text.slice(0, 200)));
  }
  const enrolled = enrollResponseSchema.parse(json);
  const config: AgentConfigInput = {
    serverUrl: o.server,
    deviceId: enrolled.deviceId,
    deviceKey: enrolled.deviceKey,
    school: enrolled.school,
    classroom: enrolled.classroom,
    releaseKeys: enrolled.releaseKeys.map((k) => k.publicKey),
    ...(o.proxy ? { proxy: o.proxy } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
    ...(o.internetTargets?.length ? { internetTargets: o.internetTargets } : {}),
  };
  await saveConfig(o.configPath, config);
  const where = `${enrolled.school.name} (${enrolled.school.code})${enrolled.classroom ? `, ${enrolled.classroom.name}` : ''}`;
  // The fingerprint shown is computed here from the key pinned, never taken from the server's answer.
  const pinned = enrolled.releaseKeys.map((k) => ({ fingerprint: releaseKeyFingerprint(k.publicKey) }));
  return [w.enrolled(enrolled.reused, enrolled.deviceId, where, o.configPath), ...pinnedKeyLines(pinned, lang)].join(
    '\n',
  );
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
