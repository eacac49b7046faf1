import { createApiToken, revokeApiToken } from '../auth/api-tokens.ts';
import { cliActor, database, fail, required, requiredInteger, type Command } from './command-line.ts';

/** `santong api-token create --name N [--county C]`: the token is printed once, on its own last line. */
export const apiTokenCreate: Command = ({ flags, now, say }) => {
  const created = createApiToken(
    database(flags),
    { name: required(flags, 'name'), countyCode: flags.county ?? null },
    now,
    { actor: cliActor(), reason: flags.reason ?? 'API token issued' },
  );
  say(
    `API token #${created.id} "${flags.name}" (${flags.county ? `county ${flags.county} only` : 'whole prefecture'})`,
  );
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
