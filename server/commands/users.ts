import { readPassword } from './password-input.ts';
import { createUser } from '../accounts/users.ts';
import { cliActor, database, required, type Command } from './command-line.ts';

/** `santong user create`: a dashboard account; the password is read from stdin, never from a flag. */
export const userCreate: Command = async ({ flags, now, say }) => {
  const username = required(flags, 'username');
  const role = required(flags, 'role') as 'bureau' | 'county' | 'school';
  const db = database(flags);
  const password = await readPassword();
  const user = await createUser(
    db,
    { username, password, role, countyCode: flags.county, schoolCode: flags.school },
    now,
    { actor: cliActor(), reason: flags.reason ?? 'dashboard account created' },
  );
  say(
    `user #${user.id} ${user.username} created: ${user.role}${user.schoolCode ? `, school ${user.schoolCode}` : user.countyCode ? `, county ${user.countyCode}` : ', whole prefecture'}`,
  );
  return 0;
};
