import { MAX_TOKEN_DAYS, MAX_TOKEN_USES } from '../../shared/schemas/enroll.ts';
import { revokeDevice } from '../enrollment/enroll.ts';
import { createEnrollmentToken, parseDuration, revokeEnrollmentToken } from '../enrollment/tokens.ts';
import { DAY_MS } from '../../shared/time/china-time.ts';
import {
  cliActor,
  fail,
  positiveInteger,
  required,
  requiredInteger,
  UsageError,
  withCommandStore,
  type Command,
} from './command-line.ts';
import { chinaDateTime } from '../../shared/time/china-time-text.ts';

/** `santong enrollment-token create`: the token is printed once, on its own last line. */
export const enrollmentTokenCreate: Command = async ({ flags, now, say }) => {
  const expiresIn = flags['expires-in'] === undefined ? undefined : parseDuration(flags['expires-in']);
  if (expiresIn === null || (expiresIn !== undefined && (expiresIn < 60_000 || expiresIn > MAX_TOKEN_DAYS * DAY_MS))) {
    throw new UsageError(`--expires-in takes a duration from 1m to ${MAX_TOKEN_DAYS}d such as 30d, 12h or 90m`);
  }
  const maxUses = positiveInteger(flags, 'max-uses') ?? undefined;
  if (maxUses !== undefined && maxUses > MAX_TOKEN_USES)
    throw new UsageError(`--max-uses takes a whole number from 1 to ${MAX_TOKEN_USES}`);
  const input = {
    schoolCode: required(flags, 'school'),
    expiresAt: expiresIn === undefined ? undefined : now + expiresIn,
    maxUses,
  };
  const audit = { actor: cliActor(), reason: flags.reason ?? 'enrollment token issued' };
  const created = await withCommandStore(flags, (store) => createEnrollmentToken(store, input, now, audit));
  say(`enrollment token #${created.id} for ${created.school.code} ${created.school.name}`);
  say(
    `expires: ${created.expiresAt === null ? 'never' : `${chinaDateTime(created.expiresAt)} Beijing time`}; uses: ${created.maxUses ?? 'unlimited'}`,
  );
  say(created.token);
  return 0;
};

/** `santong enrollment-token revoke --id N`: exit 1 when there is no such token. */
export const enrollmentTokenRevoke: Command = async ({ flags, now }) => {
  const id = requiredInteger(flags, 'id');
  const audit = { actor: cliActor(), reason: flags.reason ?? 'enrollment token revoked' };
  const revoked = await withCommandStore(flags, (store) => revokeEnrollmentToken(store, id, now, audit));
  return revoked ? 0 : fail('no such enrollment token');
};

/** `santong device revoke --id DEVICE_ID`: the device's key is refused from now on. */
export const deviceRevoke: Command = async ({ flags, now, say }) => {
  const id = required(flags, 'id');
  const audit = { actor: cliActor(), reason: flags.reason ?? 'device key revoked' };
  const device = await withCommandStore(flags, (store) => revokeDevice(store, id, now, audit));
  say(`device ${flags.id} at school ${device.schoolCode} revoked`);
  return 0;
};
