/**
 * Key files and secret files (TLS private keys, key passphrases, SASL password files): read only when no one but
 * their owner can read them. A file with any group or other permission bit (wider than 0600) is refused at
 * start-up with an error naming the file and the variable that points at it, never its contents.
 */
import { readFileSync, statSync } from 'node:fs';
import { DicomtrailError } from './errors.js';

export class KeyFileError extends DicomtrailError {}

/** Refuses `file` (named by `variable`) when it is missing, not a regular file, or readable beyond its owner. */
export function checkKeyFile(file: string, variable: string): void {
  let mode: number;
  try {
    const st = statSync(file);
    if (!st.isFile())
      throw new KeyFileError('DT_ERR_KEY_FILE', `${variable}: ${file} is not a regular file`, {
        variable,
        file,
      });
    mode = st.mode & 0o777;
  } catch (err) {
    if (err instanceof KeyFileError) throw err;
    throw new KeyFileError(
      'DT_ERR_KEY_FILE',
      `${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { variable, file },
    );
  }
  if ((mode & 0o077) !== 0)
    throw new KeyFileError(
      'DT_ERR_KEY_FILE_MODE',
      `${variable}: ${file} has mode 0${mode.toString(8)}, readable beyond its owner; a key or secret file must be 0600 or stricter (chmod 600 ${file})`,
      { variable, file, mode: `0${mode.toString(8)}` },
    );
}

/** A private key (PEM) after `checkKeyFile`. */
export function readKeyFile(file: string, variable: string): string {
  checkKeyFile(file, variable);
  return readFileSync(file, 'utf8');
}

/** A secret kept in a file (a password, a passphrase) after `checkKeyFile`, without its final line break. */
export function readSecretFile(file: string, variable: string): string {
  return readKeyFile(file, variable).replace(/\r?\n$/, '');
}

/** A public file (a CA bundle, a certificate): must exist and be readable; its mode does not matter. */
export function readPublicFile(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_CERT_FILE',
      `${variable}: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      { variable, file },
    );
  }
}

/**
 * A reader for start-up checks that gathers every problem instead of stopping at the first: `read(file, variable,
 * readKeyFile)` returns the contents, or undefined (the file unset, or its problem pushed onto `problems`).
 */
export function problemCollectingReader(
  problems: string[],
): (
  file: string | undefined,
  variable: string,
  fn: (file: string, variable: string) => string,
) => string | undefined {
  return (file, variable, fn) => {
    if (file === undefined) return undefined;
    try {
      return fn(file, variable);
    } catch (err) {
      problems.push((err as Error).message);
      return undefined;
    }
  };
}
