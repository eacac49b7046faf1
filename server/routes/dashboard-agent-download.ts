import type { Context } from 'hono';
import { Hono } from 'hono';
import type { AppEnv } from '../http/app-env.ts';
import { DomainError } from '../errors.ts';
import { agentReleaseBundle, latestAgentRelease } from '../releases/releases.ts';
import { AGENT_DOWNLOAD, AGENT_FILE } from '../views/install-commands.tsx';

async function latest(c: Context<AppEnv>) {
  const release = await latestAgentRelease(c.get('store'));
  if (!release) throw new DomainError('not-found', 'no_release', 'no agent release has been published on this server');
  return release;
}

/**
 * The newest published agent and its signature file, for a signed-in person to carry to the school PCs
 * (issue 18 item 10). The same bytes the API hands enrolled agents (server/routes/agent-releases.ts), which
 * need a device key; the launcher checks the signature file beside the bundle before it self-updates.
 */
export const dashboardAgentDownloadRoutes = new Hono<AppEnv>()
  .get(AGENT_DOWNLOAD, async (c) => {
    const bundle = await agentReleaseBundle(c.get('store'), (await latest(c)).version);
    return new Response(new Uint8Array(bundle), {
      headers: {
        'content-type': 'text/javascript; charset=utf-8',
        'content-length': String(bundle.length),
        'content-disposition': `attachment; filename="${AGENT_FILE}"`,
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
      'content-disposition': `attachment; filename="${AGENT_FILE}.sig"`,
    });
  });
