import { parseServerConfig } from '../config.ts';
import { backupDatabase } from '../db/backup.ts';
import { UsageError, type Command } from './command-line.ts';

/** `santong backup FILE`: an online copy, safe while the server runs. */
export const backupCommand: Command = async ({ flags, sub: file, say }) => {
  if (!file) throw new UsageError('backup needs a FILE to write');
  const result = await backupDatabase(parseServerConfig(flags, process.env).dataDir, file);
  say(`backup written to ${result.file}: ${result.bytes} bytes, integrity ${result.integrity}`);
  return 0;
};
