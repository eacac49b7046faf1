import { verifyCoverage } from '../coverage/verify.ts';
import { withCommandStore, type Command } from './command-line.ts';

/** `santong verify`: every difference on stderr; exit 1 when the recomputation disagrees anywhere. */
export const verifyCommand: Command = ({ flags, now, say }) =>
  withCommandStore(flags, async (store) => {
    const result = await verifyCoverage(store, now);
    result.differences.forEach((d) => process.stderr.write(`${d}\n`));
    const { schools, classrooms, devices, divisions } = result.checked;
    say(
      `verified ${schools} schools, ${classrooms} classrooms, ${devices} devices, ${divisions} divisions: ${result.differences.length} differences`,
    );
    return result.differences.length === 0 ? 0 : 1;
  });
