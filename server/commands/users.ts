import { readPassword } from './password-input.ts';
import { createUser } from '../accounts/users.ts';
import { cliActor, fail, withCommandStore, required, type Command } from './command-line.ts';

/** The division a command confines an account or token to: --division, or its older name --county. */
export function divisionFlag(flags: Record<string, string | undefined>): string | undefined | null {
  if (flags.division !== undefined && flags.county !== undefined && flags.division !== flags.county) return null;
  return flags.division ?? flags.county;
}

/**
 * `santong user create`: a dashboard account; the password is read from stdin, never from a flag. A bureau
 * account takes --division to confine it to a province, prefecture or county under the root (decision 150).
 */
export const userCreate: Command = async ({ flags, now, say }) => {
  const username = required(flags, 'username');
  const role = required(flags, 'role') as 'bureau' | 'county' | 'school';
  const divisionCode = divisionFlag(flags);
  if (divisionCode === null) return fail('--division and --county name different divisions; give one');
  const audit = { actor: cliActor(), reason: flags.reason ?? 'dashboard account created' };
  const user = await withCommandStore(flags, async (store) => {
    const password = await readPassword();
    return createUser(store, { username, password, role, divisionCode, schoolCode: flags.school }, now, audit);
  });
  const reach = user.schoolCode
    ? `school ${user.schoolCode}`
    : user.divisionCode
      ? `${user.role === 'county' ? 'county' : 'division'} ${user.divisionCode}`
      : 'the whole deployment';
  say(`user #${user.id} ${user.username} created: ${user.role}, ${reach}`);
  return 0;
};
