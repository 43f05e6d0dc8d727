/**
 * TLS material from files: a private key readable by group or others is refused (a copied key is a stolen
 * identity), as is a missing file; errors name the file and the variable, never the content.
 */
import { readFileSync, statSync } from 'node:fs';
import { DicomtrailError } from '@dicomtrail/runtime';

export function readKeyFile(path: string, variable: string): Buffer {
  let mode: number;
  try {
    mode = statSync(path).mode;
  } catch (err) {
    throw new DicomtrailError('DT_ERR_KEY_FILE', `${variable}: cannot read ${path}`, {
      path,
      cause: String(err),
    });
  }
  if ((mode & 0o077) !== 0)
    throw new DicomtrailError(
      'DT_ERR_KEY_FILE_PERMISSIONS',
      `${variable}: ${path} is readable by group or others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
      { path },
    );
  return readFileSync(path);
}

export function readPemFile(path: string, variable: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DicomtrailError('DT_ERR_PEM_FILE', `${variable}: cannot read ${path}`, {
      path,
      cause: String(err),
    });
  }
}
