/** The console over plain HTTP (fetch), for tests that need no browser. */
export async function postLogin(base: string, username: string, password: string): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: base },
    body: new URLSearchParams({ username, password }).toString(),
  });
}

/** The session cookie a login set, as a Cookie header value. */
export const cookieOf = (r: Response) => (r.headers.get('set-cookie') ?? '').split(';')[0]!;

export async function getPage(
  base: string,
  cookie: string,
  pathAndQuery: string,
): Promise<{ status: number; body: string }> {
  const r = await fetch(`${base}${pathAndQuery}`, { headers: { cookie } });
  return { status: r.status, body: await r.text() };
}
