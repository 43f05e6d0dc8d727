/**
 * Cookie sessions: a random 32-byte token in an HttpOnly, SameSite=Strict cookie; the database keeps only its
 * sha256, with the session's CSRF token (synchronizer token: every form carries it, every POST must match it).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import type { ConsoleRole, ConsoleUser } from './accounts.js';

export const SESSION_COOKIE = 'dicomtrail_console_session';

export interface Session {
  user: ConsoleUser;
  csrfToken: string;
}

const sha256 = (token: string) => createHash('sha256').update(token).digest();

export async function createSession(
  db: pg.Pool,
  user: ConsoleUser,
  clientAddress: string,
  minutes: number,
): Promise<{ token: string; session: Session }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO console.sessions (token_sha256, username, csrf_token, client_address, expires_at)
     VALUES ($1, $2, $3, $4, now() + make_interval(mins => $5))`,
    [sha256(token), user.username, csrfToken, clientAddress, minutes],
  );
  return { token, session: { user, csrfToken } };
}

export async function findSession(db: pg.Pool, token: string | undefined): Promise<Session | undefined> {
  if (!token) return undefined;
  const { rows } = await db.query<{ username: string; role: ConsoleRole; csrf_token: string }>(
    `SELECT u.username, u.role, s.csrf_token
       FROM console.sessions s JOIN console.users u USING (username)
      WHERE s.token_sha256 = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`,
    [sha256(token)],
  );
  const r = rows[0];
  return r ? { user: { username: r.username, role: r.role }, csrfToken: r.csrf_token } : undefined;
}

export async function endSession(db: pg.Pool, token: string | undefined): Promise<void> {
  if (token) await db.query('DELETE FROM console.sessions WHERE token_sha256 = $1', [sha256(token)]);
  await db.query('DELETE FROM console.sessions WHERE expires_at < now()');
}

export function csrfMatches(session: Session, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
