/** File-system helpers of the event spool (`spool.ts`): names, durable writes, the directory lock. */
import { closeSync, constants as fsConstants, fsyncSync, openSync } from 'node:fs';
import { type FileHandle, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';

export const SEGMENT_RE = /^spool-(\d{6,})\.seg$/;
export const segmentName = (num: number): string => `spool-${String(num).padStart(6, '0')}.seg`;
/** The next segment, prepared ahead of need (zeros; not a segment until renamed to its number). */
export const SPARE_NAME = 'spare-segment';
export const errCode = (err: unknown): unknown => (err as { code?: unknown } | null)?.code;

/** fsync of a directory, so that a created, renamed or removed entry survives a power loss. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, fsConstants.O_RDONLY);
  try {
    await fh.sync();
  } catch (err) {
    // Some platforms and file systems cannot fsync a directory; there is nothing more to do there.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(String(errCode(err)))) throw err;
  } finally {
    await fh.close();
  }
}

/** `syncDir` on the calling thread. */
export function syncDirNow(dir: string): void {
  const fd = openSync(dir, fsConstants.O_RDONLY);
  try {
    fsyncSync(fd);
  } catch (err) {
    if (!['EINVAL', 'EISDIR', 'EPERM', 'EBADF'].includes(String(errCode(err)))) throw err;
  } finally {
    closeSync(fd);
  }
}

/** Writes all of `buf` at `position` (looping over short writes). */
export async function writeFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await fh.write(buf, done, buf.length - done, position + done);
    done += bytesWritten;
  }
}

export async function truncateFile(path: string, size: number): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.truncate(size);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errCode(err) === 'EPERM';
  }
}

/**
 * Takes `dir/lock` (holding our pid). A lock whose process is gone is taken over; one held by a live
 * process rejects with DT_ERR_SPOOL_LOCKED.
 */
export async function acquireLock(dir: string): Promise<void> {
  const file = join(dir, 'lock');
  try {
    const fh = await open(file, 'wx');
    await fh.writeFile(String(process.pid));
    await fh.close();
    return;
  } catch (err) {
    if (errCode(err) !== 'EEXIST') throw err;
  }
  const holder = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  if (Number.isSafeInteger(holder) && holder > 0 && holder !== process.pid && processAlive(holder)) {
    throw new DicomtrailError('DT_ERR_SPOOL_LOCKED', `event spool ${dir} is in use by process ${holder}`, {
      dir,
      pid: holder,
    });
  }
  const tmp = join(dir, 'lock.tmp');
  await rm(tmp, { force: true });
  const fh = await open(tmp, 'w');
  await fh.writeFile(String(process.pid));
  await fh.close();
  await rename(tmp, file);
}

export const releaseLock = (dir: string): Promise<void> => rm(join(dir, 'lock'), { force: true });
