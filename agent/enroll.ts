import { hostname } from 'node:os';
import { enrollResponseSchema, type EnrollRequest } from '../shared/schemas/enroll.ts';
import { apiErrorSchema } from '../shared/schemas/error.ts';
import { collectHardwareId } from './collect/device.ts';
import { saveConfig, type AgentConfigInput } from './config.ts';
import { createDispatcher, describeError } from './http.ts';
import { AGENT_VERSION } from './version.ts';

export type EnrollOptions = {
  server: string;
  token: string;
  classroom?: string | undefined;
  proxy?: string | undefined;
  caFile?: string | undefined;
  internetTargets?: string[] | undefined;
  configPath: string;
};

/** Trades an enrollment token for a device key and writes the settings file; returns a line for the person. */
export async function enroll(o: EnrollOptions): Promise<string> {
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
    throw new Error(
      `cannot reach ${o.server}: ${describeError(error)} (behind a proxy? pass --proxy URL or set HTTPS_PROXY)`,
    );
  } finally {
    await dispatcher.close();
  }
  const json = safeJson(text);
  if (status < 200 || status >= 300) {
    const apiError = apiErrorSchema.safeParse(json);
    throw new Error(
      `enrollment refused (HTTP ${status}): ${apiError.success ? apiError.data.error : text.slice(0, 200)}`,
    );
  }
  const enrolled = enrollResponseSchema.parse(json);
  const config: AgentConfigInput = {
    serverUrl: o.server,
    deviceId: enrolled.deviceId,
    deviceKey: enrolled.deviceKey,
    school: enrolled.school,
    classroom: enrolled.classroom,
    releaseSigningKey: enrolled.releaseSigningKey,
    ...(o.proxy ? { proxy: o.proxy } : {}),
    ...(o.caFile ? { caFile: o.caFile } : {}),
    ...(o.internetTargets?.length ? { internetTargets: o.internetTargets } : {}),
  };
  await saveConfig(o.configPath, config);
  const where = `${enrolled.school.name} (${enrolled.school.code})${enrolled.classroom ? `, ${enrolled.classroom.name}` : ''}`;
  return `${enrolled.reused ? 're-enrolled' : 'enrolled'} as device ${enrolled.deviceId} at ${where}; settings in ${o.configPath}`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
