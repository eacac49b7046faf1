import { createApiToken, revokeApiToken } from '../auth/api-tokens.ts';
import { cliActor, fail, required, requiredInteger, withCommandStore, type Command } from './command-line.ts';
import { divisionFlag } from './users.ts';

/**
 * `santong api-token create --name N [--division CODE]` (--county is the older name of --division): the token
 * is printed once, on its own last line.
 */
export const apiTokenCreate: Command = async ({ flags, now, say }) => {
  const divisionCode = divisionFlag(flags);
  if (divisionCode === null) return fail('--division and --county name different divisions; give one');
  const name = required(flags, 'name');
  const audit = { actor: cliActor(), reason: flags.reason ?? 'API token issued' };
  const created = await withCommandStore(flags, (store) =>
    createApiToken(store, { name, divisionCode: divisionCode ?? null }, now, audit),
  );
  const reach = created.divisionCode === null ? 'whole deployment' : `division ${created.divisionCode} only`;
  say(`API token #${created.id} "${flags.name}" (${reach})`);
  say(created.token);
  return 0;
};

/** `santong api-token revoke --id N`: exit 1 when there is no such active token. */
export const apiTokenRevoke: Command = async ({ flags, now }) => {
  const id = requiredInteger(flags, 'id');
  const audit = { actor: cliActor(), reason: flags.reason ?? 'API token revoked' };
  const revoked = await withCommandStore(flags, (store) => revokeApiToken(store, id, now, audit));
  return revoked ? 0 : fail('no such active API token');
};
