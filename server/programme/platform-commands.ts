import type { z } from 'zod';
import { newPlatformSchema, platformPatchSchema } from '../../shared/schemas/platforms.ts';
import type { AuditSource } from '../audit/audit.ts';
import type { Db } from '../db/client.ts';
import { DomainError } from '../errors.ts';
import { describeIssues } from '../http/validate.ts';
import { runPlatformProbes } from './platform-probe.ts';
import { addPlatform, removePlatform, updatePlatform } from './platform-registry.ts';
import { listPlatforms } from './platforms.ts';

/** The flags of `santong platform …` by name without dashes (id, kind, level, owner, name, url, built-on), as the command line gives them. */
export type PlatformFlags = Record<string, string | undefined>;

/** Parses with the same schema the API uses, so both refuse the same input with the same words. */
function parsed<Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const flag = (path: string) => `--${{ ownerCode: 'owner', builtOn: 'built-on' }[path] ?? path}`;
  throw new DomainError(
    'invalid',
    'invalid_input',
    describeIssues(result.error)
      .map((i) => `${flag(i.path)}: ${i.message}`)
      .join('\n'),
  );
}

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
export async function runPlatformCommand(
  db: Db,
  sub: string,
  flags: PlatformFlags,
  audit: AuditSource,
  now: number,
  probeTimeoutMs: number,
): Promise<string[]> {
  const show = (id: number) => describe(listPlatforms(db, null, now).find((p) => p.id === id)!);
  const builtOn = flags['built-on'] === 'none' ? null : flags['built-on'];
  switch (sub) {
    case 'add': {
      const input = parsed(newPlatformSchema, {
        kind: flags.kind,
        level: flags.level,
        ownerCode: flags.owner,
        name: flags.name,
        url: flags.url,
        builtOn,
        reason: audit.reason,
      });
      const { reason: _reason, ...platform } = input;
      return [`added ${show(addPlatform(db, platform, audit, now).id)}`];
    }
    case 'update': {
      const id = platformId(flags);
      const patch = parsed(platformPatchSchema, {
        kind: flags.kind,
        level: flags.level,
        ownerCode: flags.owner,
        name: flags.name,
        url: flags.url,
        builtOn,
        reason: audit.reason,
      });
      const { reason: _reason, ...fields } = patch;
      const { changed } = updatePlatform(db, id, fields, audit, now);
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
