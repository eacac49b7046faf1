import readline from 'node:readline';
import { Writable } from 'node:stream';
import { DomainError } from '../errors.ts';

/**
 * Reads a password from stdin for `santong user create`: the first line of piped input (scripts,
 * `echo … |`), or typed at a terminal without echo. Never from a flag, so it stays out of shell history
 * and the process list.
 */
export function readPassword(
  input: NodeJS.ReadStream = process.stdin,
  prompt: NodeJS.WriteStream = process.stderr,
): Promise<string> {
  const interactive = Boolean(input.isTTY);
  if (interactive) prompt.write('password (not shown): ');
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = readline.createInterface({ input, output: silent, terminal: interactive });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      if (interactive) prompt.write('\n');
      resolve(line.replace(/\r$/, ''));
    });
    rl.once('close', () => {
      if (!answered)
        reject(
          new DomainError('invalid', 'password_missing', 'no password on stdin; pipe it in or type it at the prompt'),
        );
    });
  });
}
