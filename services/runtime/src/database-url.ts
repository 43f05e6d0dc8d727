/**
 * DATABASE_URL's TLS parameters, checked at start-up before any connection: `sslmode` (disable, prefer, require,
 * verify-ca, verify-full, no-verify), `sslrootcert` (the CA that signs the server's certificate), `sslcert` and
 * `sslkey` (our client certificate and its key, which must be 0600 or stricter). node-postgres reads and applies
 * them itself (pg-connection-string: verify-full checks the chain against sslrootcert and the host name against
 * the certificate); this module only refuses what would otherwise fail late or unsafely, and describes failures.
 * Nothing here ever repeats the URL's password.
 */
import { ConfigError } from './config.js';
import { checkKeyFile, readPublicFile } from './key-files.js';
import { describeTlsFailure, errorChain, tlsFailureOf } from './tls-failure.js';

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

/** Every problem with `url`'s TLS parameters (empty: fine); `variable` names it in the messages. */
export function databaseUrlProblems(url: string, variable = 'DATABASE_URL'): string[] {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return [`${variable} is not a URL (postgres://user@host:port/database?sslmode=verify-full&...)`];
  }
  const problems: string[] = [];
  const q = u.searchParams;
  const mode = q.get('sslmode');
  if (mode !== null && !SSL_MODES.includes(mode))
    problems.push(`${variable}: sslmode=${mode} must be one of ${SSL_MODES.join(', ')}`);
  if ((q.has('sslcert') || q.has('sslkey')) && !(q.has('sslcert') && q.has('sslkey')))
    problems.push(`${variable}: sslcert and sslkey go together (a client certificate and its key)`);
  const check = (param: string, fn: (file: string, name: string) => unknown): void => {
    const file = q.get(param);
    if (file === null) return;
    try {
      fn(file, `${variable} ${param}`);
    } catch (err) {
      problems.push((err as Error).message);
    }
  };
  check('sslrootcert', readPublicFile);
  check('sslcert', readPublicFile);
  check('sslkey', checkKeyFile);
  return problems;
}

/** `url` with its password replaced, for a log line. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(not a URL)';
  }
}

/**
 * A Postgres connection failure in one sentence: TLS failures say what to check (sslrootcert, the host name,
 * sslcert); anything else is the driver's message. Never contains the password (the driver's messages do not).
 */
export function describeDatabaseError(err: unknown, variable = 'DATABASE_URL'): string {
  const tls = tlsFailureOf(err);
  if (tls)
    return describeTlsFailure(tls, 'Postgres', {
      caVariable: `${variable} sslrootcert`,
      certVariable: `${variable} sslcert/sslkey`,
    });
  const first = errorChain(err)[0];
  return first ? first.message : String(err);
}

/** Throws a ConfigError listing `databaseUrlProblems` (for `configOrExit` at start-up). */
export function checkDatabaseUrl(url: string, variable = 'DATABASE_URL'): void {
  const problems = databaseUrlProblems(url, variable);
  if (problems.length > 0) throw new ConfigError(problems);
}
