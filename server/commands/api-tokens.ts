import { createApiToken, revokeApiToken } from '../auth/api-tokens.ts';
import { cliActor, fail, openCommandStore, required, requiredInteger, type Command } from './command-line.ts';
import { divisionFlag } from './users.ts';

/**
 * `santong api-token create --name N [--division CODE]` (--county is the older name of --division): the token
 * is printed once, on its own last line.
 */
export const apiTokenCreate: Command = async ({ flags, now, say }) => {
  const divisionCode = divisionFlag(flags);
  if (divisionCode === null) return fail('--division and --county name different divisions; give one');
  const name = required(flags, 'name');
  const store = await openCommandStore(flags);
  let created;
  try {
    const audit = { actor: cliActor(), reason: flags.reason ?? 'API token issued' };
    created = await createApiToken(store, { name, divisionCode: divisionCode ?? null }, now, audit);
  } finally {
    await store.close();
  }
  const reach = created.divisionCode === null ? 'whole deployment' : `division ${created.divisionCode} only`;
  say(`API token #${created.id} "${flags.name}" (${reach})`);
  say(created.token);
  return 0;
};

/** `santong api-token revoke --id N`: exit 1 when there is no such active token. */
export const apiTokenRevoke: Command = async ({ flags, now }) => {
  const id = requiredInteger(flags, 'id');
  const store = await openCommandStore(flags);
  try {
    const revoked = await revokeApiToken(store, id, now, {
      actor: cliActor(),
      reason: flags.reason ?? 'API token revoked',
    });
    return revoked ? 0 : fail('no such active API token');
  } finally {
    await store.close();
  }
};
