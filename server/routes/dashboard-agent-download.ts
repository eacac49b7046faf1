import type { Context } from 'hono';
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import { z } from 'zod';
import { pageContext, requireUser } from '../accounts/page-auth.ts';
import { bearerSecret } from '../access/secrets.ts';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError, failureStatus } from '../errors.ts';
import { usableEnrollmentToken } from '../enrollment/tokens.ts';
import { fileDownload } from '../http/file-download.ts';
import { validate } from '../http/validate.ts';
import { offeredAgentDownload, offeredAgentDownloads } from '../releases/agent-downloads.ts';
import { agentReleaseBundle, latestAgentRelease } from '../releases/releases.ts';
import { pageErrorHandler } from '../views/error-page.tsx';
import { AGENT_DOWNLOAD, AGENT_FILE } from '../views/install-commands.tsx';

async function latest(c: Context<AppEnv>) {
  const release = await latestAgentRelease(c.get('store'));
  if (!release) throw new DomainError('not-found', 'no_release', 'no agent release has been published on this server');
  return release;
}

const attachment = (fileName: string) => `attachment; filename="${fileName}"`;

/**
 * Who may download: a signed-in account (the officer carrying the files to the schools), or a school PC that
 * sends its school's enrollment token as `Authorization: Bearer ste_…` (the download line of the install
 * commands; docs/decisions/183-agent-downloads-offered-signed.md). A request that sends a token is judged by the
 * token alone, with a 401 that says why: sent to the login page instead, `curl -fLO` would save that page under
 * the installer's name.
 */
const downloadAccess = createMiddleware<AppEnv>(async (c, next) => {
  const authorization = c.req.header('authorization');
  if (authorization === undefined)
    return pageContext(c, async () => {
      const refused = await requireUser(c, next);
      if (refused) c.res = refused;
    });
  const token = bearerSecret(authorization);
  if (!token)
    throw new DomainError(
      'unauthorized',
      'token_invalid',
      'send the school’s enrollment token as "Authorization: Bearer ste_…", or sign in to the dashboard',
    );
  await usableEnrollmentToken(c.get('store'), token, c.get('clock')());
  await next();
});

const fileParams = z.object({ file: z.string().regex(/^[\w.+-]{1,128}$/, 'a file name of the agent') });

/**
 * The agent for the school PCs: the newest published bundle and its signature file (issue 18 item 10), and the
 * installer, .debs and executables offered with `santong agent-release offer` (issue 16 item 4), with
 * SHA256SUMS over all of them. The bundle is the bytes the API hands enrolled agents (routes/agent-releases.ts).
 */
export const agentDownloadRoutes = new Hono<AppEnv>()
  .use('/agent/*', downloadAccess)
  .get(AGENT_DOWNLOAD, async (c) => {
    const bundle = await agentReleaseBundle(c.get('store'), (await latest(c)).version);
    return new Response(new Uint8Array(bundle), {
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'content-length': String(bundle.length),
        'content-disposition': attachment(AGENT_FILE),
      },
    });
  })
  .get(`${AGENT_DOWNLOAD}.sig`, async (c) => {
    const release = await latest(c);
    if (!release.signedBy) throw new DomainError('not-found', 'no_signature', 'this release names no signing key');
    // The file `santong release sign` wrote (shared/schemas/release.ts, releaseSignatureSchema).
    const signature = {
      version: release.version,
      sha256: release.sha256,
      signature: release.signature,
      publicKey: release.signedBy,
    };
    return c.body(`${JSON.stringify(signature, null, 2)}\n`, 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': attachment(`${AGENT_FILE}.sig`),
    });
  })
  .get('/agent/SHA256SUMS', async (c) => {
    // `sha256sum -c SHA256SUMS` form, as npm run build:agent writes it, over what this server offers.
    const release = await latestAgentRelease(c.get('store'));
    const lines = [
      ...(release ? [`${release.sha256}  ${AGENT_FILE}`] : []),
      ...(await offeredAgentDownloads(c.get('store'), c.get('agentDownloadDir'))).map(
        (d) => `${d.sha256}  ${d.fileName}`,
      ),
    ];
    return c.body(lines.length ? `${lines.join('\n')}\n` : '', 200, {
      'content-type': 'text/plain; charset=utf-8',
      'content-disposition': attachment('SHA256SUMS'),
    });
  })
  .get('/agent/:file', validate('param', fileParams), async (c) => {
    const requested = c.req.valid('param').file;
    const signatureOf = requested.endsWith('.sig') ? requested.slice(0, -'.sig'.length) : null;
    const offered = await offeredAgentDownload(c.get('store'), c.get('agentDownloadDir'), signatureOf ?? requested);
    if (signatureOf)
      return c.body(`${JSON.stringify(offered.signature, null, 2)}\n`, 200, {
        'content-type': 'application/json; charset=utf-8',
        'content-disposition': attachment(requested),
      });
    return fileDownload(
      {
        path: offered.path,
        fileName: offered.fileName,
        contentType: offered.kind.startsWith('deb-')
          ? 'application/vnd.debian.binary-package'
          : 'application/octet-stream',
        sha256: offered.sha256,
      },
      { method: c.req.method, range: c.req.header('range'), ifRange: c.req.header('if-range') },
      (actual) =>
        c
          .get('logger')
          .error(
            { file: offered.fileName, signed: offered.sha256, actual },
            'an offered agent download changed on disk since it was signed; the download was cut short: offer it again (santong agent-release offer)',
          ),
    );
  })
  // Pages get the dashboard's error page; a PC that sent a token gets the reason as text.
  .onError((error, c) => {
    if (c.get('viewer')) return pageErrorHandler(error, c);
    if (error instanceof DomainError) return c.text(`${error.message}\n`, failureStatus[error.failure]);
    c.get('logger').error({ err: error, path: c.req.path }, 'unhandled error on an agent download');
    return c.text('internal error; the server log has the details\n', 500);
  });
