/**
 * Login throttling: after CONSOLE_LOGIN_MAX_FAILURES failed logins for a username, or from a client address,
 * within the window, further logins for it are refused (even with the right password) until the window passes.
 */
import type pg from 'pg';

export interface ThrottleLimits {
  maxFailures: number;
  windowMinutes: number;
}

export async function isThrottled(db: pg.Pool, username: string, address: string, limits: ThrottleLimits) {
  const { rows } = await db.query<{ by_user: number; by_address: number }>(
    `SELECT count(*) FILTER (WHERE username = $1)::int AS by_user,
            count(*) FILTER (WHERE client_address = $2)::int AS by_address
       FROM console.login_failures
      WHERE (username = $1 OR client_address = $2) AND failed_at > now() - make_interval(mins => $3)`,
    [username, address, limits.windowMinutes],
  );
  const r = rows[0] ?? { by_user: 0, by_address: 0 };
  return r.by_user >= limits.maxFailures || r.by_address >= limits.maxFailures;
}

export async function recordFailure(db: pg.Pool, username: string, address: string): Promise<void> {
  await db.query('INSERT INTO console.login_failures (username, client_address) VALUES ($1, $2)', [
    username,
    address,
  ]);
  await db.query("DELETE FROM console.login_failures WHERE failed_at < now() - interval '1 day'");
}
