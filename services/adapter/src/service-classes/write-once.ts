/**
 * Files an instance held in memory under its final name with one write: no temporary file, no rename, and
 * never, after a crash, a truncated file that looks whole.
 *
 *   1. the name is appended to the filing log, `<store>/.incoming/filing.log` (one path per line, relative
 *      to the store);
 *   2. the file is created under its final name with O_CREAT|O_EXCL and mode 0000: an existing file is never
 *      replaced (EEXIST: the caller compares contents), and the mode says "unfinished";
 *   3. the whole Part 10 file is written;
 *   4. fchmod 0600 says "whole"; close.
 *
 * The steps are synchronous, so no other work of the process ever sees a filing half done. A process that
 * dies between 2 and 4 (SIGKILL, out of memory) leaves a file of mode 0000 under the final name; at start-up
 * `removeUnfinished` removes every such file the log names, then empties the log. The log is also emptied
 * when it passes LOG_LIMIT bytes, at the start of a filing, when every filing it names has finished.
 * The guarantee is against the process dying: like the temporary files it replaces, an instance is not
 * fsync'd, so after a power loss the file system's own ordering decides.
 */
import {
  closeSync,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';
import { FILE_MODE, inDir } from '../association/store-receiver.js';
import { insideDir, nameBelow } from '../dataset/uid-syntax.js';

/** The mode of a file being written: no one may read it, and start-up knows it unfinished. */
export const UNFINISHED_MODE = 0o000;
/** The error code of a store whose filing log cannot be opened (its folder is not a folder, not writable). */
export const STORE_UNWRITABLE = 'DT_ERR_STORE_UNWRITABLE';
/** Past this size the log is emptied at the next filing. */
const LOG_LIMIT = 64 * 1024;

export function filingLogPath(storeDir: string): string {
  return path.join(storeDir, '.incoming', 'filing.log');
}

interface FilingLog {
  fd: number;
  /** Bytes in the file (appended by this process since it opened it, or found there). */
  size: number;
}

/** The open filing log of each store, by the store path as the caller gave it. */
const logs = new Map<string, FilingLog>();

function openLog(storeDir: string): FilingLog {
  let log = logs.get(storeDir);
  if (log === undefined) {
    const file = filingLogPath(storeDir);
    let fd: number;
    try {
      fd = inDir(path.dirname(file), () => openSync(file, 'a', FILE_MODE));
    } catch (err) {
      throw new DicomtrailError(STORE_UNWRITABLE, 'the store cannot be written', {}, err);
    }
    log = { fd, size: fstatSync(fd).size };
    logs.set(storeDir, log);
  }
  return log;
}

function closeLogs(storeDir: string): void {
  const root = path.resolve(storeDir);
  for (const [dir, log] of logs)
    if (path.resolve(dir) === root) {
      logs.delete(dir);
      closeSync(log.fd);
    }
}

/**
 * Writes `bytes` as the new file `target` (inside `storeDir`). Returns 'exists' when a file is already
 * there (left untouched). A write error removes what was created and is thrown.
 */
export function writeOnce(storeDir: string, target: string, bytes: Buffer): 'written' | 'exists' {
  const log = openLog(storeDir);
  if (log.size > LOG_LIMIT) {
    ftruncateSync(log.fd, 0);
    log.size = 0;
  }
  log.size += writeSync(log.fd, `${nameInStore(storeDir, target)}\n`);
  const fd = inDir(path.dirname(target), () => {
    try {
      return openSync(target, 'wx', UNFINISHED_MODE);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
      throw err;
    }
  });
  if (fd === undefined) return 'exists';
  try {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
    fchmodSync(fd, FILE_MODE);
  } catch (err) {
    closeSync(fd);
    rmSync(target, { force: true });
    throw err;
  }
  closeSync(fd);
  return 'written';
}

/** `target`'s name relative to the store, without path calls for the storage layout's paths. */
function nameInStore(storeDir: string, target: string): string {
  return nameBelow(storeDir, target) ?? path.relative(storeDir, target);
}

/**
 * Start-up: removes every file the filing log names that is still unfinished (mode 0000: its process died
 * while writing it), then empties the log. Names outside the store are ignored. Returns how many were removed.
 */
export function removeUnfinished(storeDir: string): number {
  const root = path.resolve(storeDir);
  closeLogs(root);
  const file = filingLogPath(root);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of new Set(text.split('\n'))) {
    if (name === '') continue;
    const target = path.resolve(root, name);
    if (!insideDir(root, target)) continue;
    try {
      const st = lstatSync(target);
      if (!st.isFile() || (st.mode & 0o7777) !== UNFINISHED_MODE) continue;
    } catch {
      continue;
    }
    rmSync(target, { force: true });
    removed++;
  }
  rmSync(file, { force: true });
  return removed;
}
