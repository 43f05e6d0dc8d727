/**
 * The users file (`DICOM_USERS_FILE`): the identities a DICOM peer may present (PS3.7 D.3.3.7 types 1 and 2).
 * One user a line, `name:scrypt$N$r$p$salt$hash`; blank lines and lines starting with `#` are ignored. Names are
 * UTF-8 without `:` or control characters. The file holds password hashes: it must be readable by its owner only
 * (mode 0600 or tighter), or it is refused.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { checkKeyFile, DicomtrailError } from '@dicomtrail/runtime';
import { type ParsedHash, parsePasswordHash } from './password-hash.js';

export interface UserEntry {
  name: string;
  /** The stored hash text, as in the file. */
  hash: string;
}

const NAME = /^[^:\p{Cc}]{1,64}$/u;

export function validUserName(name: string): boolean {
  return NAME.test(name) && name.trim() === name;
}

/** Parses the file's text; throws DT_ERR_USERS_FILE with the line number of the first bad line. */
export function parseUsersFile(text: string, file = 'users file'): Map<string, ParsedHash> {
  const users = new Map<string, ParsedHash>();
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon) : '';
    if (!validUserName(name)) {
      throw new DicomtrailError('DT_ERR_USERS_FILE', `${file} line ${i + 1}: expected name:hash`, {
        line: i + 1,
      });
    }
    if (users.has(name)) {
      throw new DicomtrailError('DT_ERR_USERS_FILE', `${file} line ${i + 1}: user ${name} appears twice`, {
        line: i + 1,
      });
    }
    try {
      users.set(name, parsePasswordHash(line.slice(colon + 1)));
    } catch (err) {
      throw new DicomtrailError(
        'DT_ERR_USERS_FILE',
        `${file} line ${i + 1}: ${(err as Error).message}`,
        { line: i + 1 },
        err,
      );
    }
  }
  return users;
}

/** The entries of the file's text, in order (for adding, replacing and removing users). */
export function userEntries(text: string): UserEntry[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && l.includes(':'))
    .map((l) => ({ name: l.slice(0, l.indexOf(':')), hash: l.slice(l.indexOf(':') + 1) }));
}

export function renderUsersFile(entries: readonly UserEntry[]): string {
  const header = '# dicomtrail users (dicomtrail users add NAME --file PATH); name:scrypt$N$r$p$salt$hash\n';
  return header + entries.map((e) => `${e.name}:${e.hash}\n`).join('');
}

export function loadUsersFile(file: string): Map<string, ParsedHash> {
  checkKeyFile(file, 'DICOM_USERS_FILE');
  return parseUsersFile(readFileSync(file, 'utf8'), file);
}

/** Writes the file atomically with mode 0600. */
export function writeUsersFile(file: string, entries: readonly UserEntry[]): void {
  const partial = `${file}.partial`;
  writeFileSync(partial, renderUsersFile(entries), { mode: 0o600 });
  renameSync(partial, file);
}
