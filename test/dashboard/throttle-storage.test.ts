import { afterEach, describe, expect, it } from 'vitest';
import { signIn } from '../../server/accounts/login.ts';
import { loginAttempts } from '../../server/db/schema.ts';
import { createTestContext, type TestContext } from '../helpers/server.ts';

let ctx: TestContext;
afterEach(() => ctx?.cleanup());

describe('login throttling storage', () => {
  it('keeps no typed name in the database, so a password typed into the name field is not stored', async () => {
    ctx = await createTestContext();
    const slip = 'Correct-Horse-Battery-9';
    await expect(
      signIn(ctx.store, { username: slip, password: 'whatever', address: '10.1.1.1' }, Date.now()),
    ).rejects.toThrow();
    const rows = ctx.db.select().from(loginAttempts).all();
    expect(rows).toHaveLength(2); // the name + address budget and the name's own
    expect(JSON.stringify(rows).toLowerCase()).not.toContain(slip.toLowerCase());
  });
});
