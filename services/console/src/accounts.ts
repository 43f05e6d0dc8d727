/** Console accounts (console.users): created by `dicomtrail console add-user`, checked at login. */
import type pg from 'pg';
import { ConsoleError } from './errors.js';
import { hashPassword, verifyPassword } from './password.js';

export type ConsoleRole = 'auditor' | 'engineer';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['auditor', 'engineer'];

export interface ConsoleUser {
  username: string;
  role: ConsoleRole;
}

const USERNAME = /^[A-Za-z0-9._@-]{1,64}$/;
export const MIN_PASSWORD_LENGTH = 12;

/** Creates the user, or sets a new password and role for an existing one. */
export async function addUser(
  db: pg.Pool | pg.Client,
  username: string,
  role: ConsoleRole,
  password: string,
) {
  if (!USERNAME.test(username))
    throw new ConsoleError('DT_ERR_CONSOLE_USERNAME', 400, 'a username is 1-64 letters, digits or . _ @ -', {
      username,
    });
  if (!CONSOLE_ROLES.includes(role))
    throw new ConsoleError('DT_ERR_CONSOLE_ROLE', 400, `the role is one of ${CONSOLE_ROLES.join(', ')}`, {
      role,
    });
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new ConsoleError(
      'DT_ERR_CONSOLE_PASSWORD',
      400,
      `a password has at least ${MIN_PASSWORD_LENGTH} characters`,
    );
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ created: boolean }>(
    `INSERT INTO console.users (username, role, password_hash) VALUES ($1, $2, $3)
     ON CONFLICT (username) DO UPDATE SET role = EXCLUDED.role, password_hash = EXCLUDED.password_hash, disabled_at = NULL
     RETURNING (xmax = 0) AS created`,
    [username, role, hash],
  );
  return { created: rows[0]?.created ?? false };
}

/** The user when the password matches an enabled account; undefined otherwise (no hint which part was wrong). */
export async function authenticate(
  db: pg.Pool,
  username: string,
  password: string,
): Promise<ConsoleUser | undefined> {
  const { rows } = await db.query<{ username: string; role: ConsoleRole; password_hash: string }>(
    'SELECT username, role, password_hash FROM console.users WHERE username = $1 AND disabled_at IS NULL',
    [username],
  );
  const row = rows[0];
  // A missing user costs the same scrypt as a wrong password, so timing does not tell which usernames exist.
  const ok = await verifyPassword(password, row?.password_hash ?? DUMMY_HASH);
  return row && ok ? { username: row.username, role: row.role } : undefined;
}

const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
