import { z } from 'zod';
import {
  keysTrustedAfter,
  releaseKeyStatementSchema,
  sameStatement,
  statementSigned,
  type ReleaseKeyStatement,
} from '../../shared/schemas/release-keys.ts';
import { writeFileDurable } from '../durable-file.ts';
import { bundleFiles, readBeside } from './install.ts';

/*
 * What this PC trusts to sign its code: the keys pinned at enrollment (the settings file) and the key
 * statements it has seen, kept beside the bundle (`<bundle>.keys.json`) where the launcher reads them
 * too. Only statements that verify are kept, so a file planted there can add no key that a trusted key
 * did not vouch for (docs/decisions/060-offline-release-keys.md).
 */

const keysFileSchema = z.object({ statements: z.array(z.unknown()) });

/** The statements kept beside the bundle: those that parse and whose signatures verify. */
export async function readKeyStatements(bundle: string): Promise<ReleaseKeyStatement[]> {
  const file = await readBeside<unknown>(bundleFiles(bundle).keys);
  const parsed = keysFileSchema.safeParse(file);
  if (!parsed.success) return [];
  return parsed.data.statements.flatMap((s) => {
    const statement = releaseKeyStatementSchema.safeParse(s);
    return statement.success && statementSigned(statement.data) ? [statement.data] : [];
  });
}

/**
 * Adds the statements a server announced to those kept (a revocation is never forgotten, whatever a
 * later announcement leaves out) and returns the keys trusted now. Only statements about keys the pinned
 * ones reach are kept: anyone can sign a revocation of a key of their own, and such noise must not grow the file.
 */
export async function learnKeyStatements(
  bundle: string,
  pinned: readonly string[],
  announced: readonly ReleaseKeyStatement[],
): Promise<string[]> {
  const kept = await readKeyStatements(bundle);
  const fresh = announced.filter((s) => statementSigned(s) && !kept.some((k) => sameStatement(k, s)));
  const reachable = new Set(
    keysTrustedAfter(
      pinned,
      [...kept, ...fresh].filter((s) => s.action === 'trust'),
    ),
  );
  const relevant = fresh.filter((s) => reachable.has(s.publicKey) && reachable.has(s.signedBy));
  if (relevant.length > 0)
    await writeFileDurable(
      bundleFiles(bundle).keys,
      `${JSON.stringify({ statements: [...kept, ...relevant] })}\n`,
      0o644,
    );
  return keysTrustedAfter(pinned, [...kept, ...relevant]);
}
