import { createApiToken, revokeApiToken } from '../auth/api-tokens.ts';
import { cliActor, database, fail, required, requiredInteger, type Command } from './command-line.ts';
import { divisionFlag } from './users.ts';

/**
 * `santong api-token create --name N [--division CODE]` (--county is the older name of --division): the token
 * is printed once, on its own last line.
 */
export const apiTokenCreate: Command = ({ flags, now, say }) => {
  const divisionCode = divisionFlag(flags);
  if (divisionCode === null) return fail('--division and --county name different divisions; give one');
  const created = createApiToken(
    database(flags),
    { name: required(flags, 'name'), divisionCode: divisionCode ?? null },
    now,
    { actor: cliActor(), reason: flags.reason ?? 'API token issued' },
  );
  const reach = created.divisionCode === null ? 'whole deployment' : `division ${created.divisionCode} only`;
  say(`API token #${created.id} "${flags.name}" (${reach})`);
  say(created.token);
  return 0;
};

/** `santong api-token revoke --id N`: exit 1 when there is no such active token. */
export const apiTokenRevoke: Command = ({ flags, now }) =>
  revokeApiToken(database(flags), requiredInteger(flags, 'id'), now, {
    actor: cliActor(),
    reason: flags.reason ?? 'API token revoked',
  })
    ? 0
    : fail('no such active API token');
