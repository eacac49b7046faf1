import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { promiseFindings } from './promises.ts';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = 'test/architecture/fixtures/unawaited.ts';

describe('promises (decision 185)', () => {
  // One type-checked program of the whole repository: ~15 s on this machine.
  it(
    'are awaited, returned, kept or marked void, and never passed where nothing waits for them',
    { timeout: 120_000 },
    () => {
      const findings = promiseFindings(repo, (file) => /^(server|agent|shared|bench|test)\//.test(file));
      const fixture = findings.filter((f) => f.file === FIXTURE);
      expect(fixture.map((f) => `${f.line} ${f.kind}`)).toEqual([
        '11 floating',
        '12 floating',
        '13 misused',
        '14 interpolated',
      ]);
      expect(findings.filter((f) => f.file !== FIXTURE).map((f) => `${f.file}:${f.line} ${f.kind}: ${f.text}`)).toEqual(
        [],
      );
    },
  );
});
