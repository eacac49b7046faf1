/**
 * Polls `check` every few milliseconds until it gives a truthy value, and returns that value; fails naming `what`
 * after `timeoutMs`. For what happens in another process or across a socket (a notice, a crash's restart, an
 * agent's report), where "soon" has no fixed length: tests never sleep a fixed time.
 */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  what: string,
  timeoutMs = 20_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
