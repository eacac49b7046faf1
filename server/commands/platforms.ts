import { newPlatformSchema, platformPatchSchema } from '../../shared/schemas/platforms.ts';
import type { AuditSource } from '../audit/audit.ts';
import type { Db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { parseServerConfig } from '../config.ts';
import { runPlatformProbes } from '../programme/platform-probe.ts';
import { addPlatform, removePlatform, updatePlatform } from '../programme/platform-registry.ts';
import { listPlatforms } from '../programme/platforms.ts';
import { cliActor, database, parsedFlags, type Command } from './command-line.ts';

/** The flags of `santong platform …` by name without dashes (id, kind, level, owner, name, url, built-on), as the command line gives them. */
export type PlatformFlags = Record<string, string | undefined>;

const platformFlag = (path: string) => `--${{ ownerCode: 'owner', builtOn: 'built-on' }[path] ?? path}`;

function platformId(flags: PlatformFlags): number {
  if (!flags.id || !/^\d+$/.test(flags.id))
    throw new DomainError(
      'invalid',
      'invalid_input',
      '--id takes the platform number that `santong platform list` shows',
    );
  return Number(flags.id);
}

const describe = (p: ReturnType<typeof listPlatforms>[number]) => {
  const measured =
    p.status === null
      ? 'not probed yet'
      : `${p.status.reachable ? 'reachable' : 'unreachable'}${p.status.error ? ` (${p.status.error})` : ''}`;
  return `#${p.id} ${p.kind} ${p.level} ${p.ownerCode} "${p.name}" ${p.url} — built: ${p.builtOn ?? 'not declared'}; ${measured}`;
};

/** `santong platform add|update|remove|list|probe`: the lines to print. Changes are audited; probe records measurements. */
async function runPlatformCommand(
  db: Db,
  sub: string,
  flags: PlatformFlags,
  audit: AuditSource,
  now: number,
  probeTimeoutMs: number,
): Promise<string[]> {
  const show = (id: number) => describe(listPlatforms(db, null, now).find((p) => p.id === id)!);
  const builtOn = flags['built-on'] === 'none' ? null : flags['built-on'];
  // The same flags describe a new platform and a change to one; each schema says which are required.
  const fields = {
    kind: flags.kind,
    level: flags.level,
    ownerCode: flags.owner,
    name: flags.name,
    url: flags.url,
    builtOn,
    reason: audit.reason,
  };
  switch (sub) {
    case 'add': {
      const input = parsedFlags(newPlatformSchema, fields, platformFlag);
      const { reason: _reason, ...platform } = input;
      return [`added ${show(addPlatform(db, platform, audit, now).id)}`];
    }
    case 'update': {
      const id = platformId(flags);
      const patch = parsedFlags(platformPatchSchema, fields, platformFlag);
      const { reason: _reason, ...changes } = patch;
      const { changed } = updatePlatform(db, id, changes, audit, now);
      return [`${changed ? 'updated' : 'unchanged'} ${show(id)}`];
    }
    case 'remove': {
      const removed = removePlatform(db, platformId(flags), audit, now);
      return [`removed #${removed.id} ${removed.kind} ${removed.level} ${removed.ownerCode} "${removed.name}"`];
    }
    case 'list': {
      const list = listPlatforms(db, null, now);
      return list.length === 0 ? ['no platforms registered; add one with santong platform add'] : list.map(describe);
    }
    case 'probe': {
      const results = await runPlatformProbes(db, { clock: () => Date.now(), timeoutMs: probeTimeoutMs });
      return results.length === 0 ? ['no platforms registered'] : results.map((r) => show(r.platformId));
    }
    default:
      throw new DomainError(
        'invalid',
        'unknown_command',
        `unknown platform command "${sub}"; use add, update, remove, list or probe`,
      );
  }
}

/** `santong platform …`: changes are audited as the person at the terminal. */
export const platformCommand: Command = async ({ flags, sub, now, say }) => {
  const audit = { actor: cliActor(), reason: flags.reason ?? `platform ${sub} by command line` };
  const lines = await runPlatformCommand(
    await database(flags),
    sub!,
    flags,
    audit,
    now,
    parseServerConfig(flags, process.env).probeTimeoutMs,
  );
  lines.forEach(say);
  return 0;
};
