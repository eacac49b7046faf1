import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { EnvHttpProxyAgent, type Dispatcher } from 'undici';

export type HttpSettings = {
  /** Proxy URL from the agent's settings; HTTP(S)_PROXY and NO_PROXY from the environment apply otherwise. */
  proxy?: string | undefined;
  /** PEM file of a CA that signed the server's certificate (a bureau's own CA), added to the public roots. */
  caFile?: string | undefined;
};

/**
 * The one HTTP client setup of the agent. Schools often reach the internet only through a county
 * proxy, so the proxy settings apply to every request; NO_PROXY still names hosts to reach directly.
 */
export function createDispatcher(settings: HttpSettings): Dispatcher {
  const tls = settings.caFile ? { ca: [...rootCertificates, readFileSync(settings.caFile, 'utf8')] } : undefined;
  return new EnvHttpProxyAgent({
    ...(settings.proxy ? { httpProxy: settings.proxy, httpsProxy: settings.proxy } : {}),
    ...(tls ? { connect: tls, requestTls: tls } : {}),
    headersTimeout: 60_000,
    bodyTimeout: 60_000,
    connectTimeout: 15_000,
  });
}

/** A one-line error message, with the system error code (ECONNREFUSED …) when there is one. */
export function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? e?.cause?.code;
  const message = e?.cause?.message ?? e?.message ?? String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
