/** Any way of sending a request to the server: Hono's in-process `app.request`, or `fetch` over a socket. */
export type Requester = (url: string, init?: RequestInit) => Promise<Response>;

/** Signs in through the real login form (its CSRF token and pre-login cookie) and returns the session cookie. */
export async function sessionCookie(request: Requester, username: string, password: string): Promise<string> {
  const login = await request('/login');
  const prelogin = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const response = await request('/login', {
    method: 'POST',
    headers: { cookie: prelogin, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }),
    redirect: 'manual',
  });
  const session = response.headers.getSetCookie().find((c) => c.startsWith('santong_session='));
  if (!session) throw new Error(`signing in as ${username} answered ${response.status} without a session`);
  return session.split(';')[0]!;
}
