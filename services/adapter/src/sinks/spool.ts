/**
 * Durable on-disk event spool: where the Kafka publisher puts events while the broker is unreachable
 * or slow, and whence it replays them, in order, when the broker answers again (ARCHITECTURE.md,
 * "Delivery guarantees"). The byte-level format is documented in `spool-format.ts`; in short:
 *
 * - A directory of append-only segments `spool-000001.seg`, ... A segment is a 20-byte header
 *   (magic 'DTSG', version, first seq, CRC) followed by records; a new segment is started when the
 *   next record would take the active one past `segmentBytes` (default 16 MiB).
 * - A record is `sync marker (4) | CRC-32 (4) | payload length u32 | seq u64 | key length u16 | key |
 *   payload`; the CRC covers everything after itself. `seq` starts at 1 and increases by one per
 *   record, across segments and restarts.
 * - `ack` holds the acknowledgement watermark (every seq <= it was delivered); it is replaced
 *   atomically (write `ack.tmp`, fdatasync, rename, fsync the directory).
 *
 * Guarantees
 * - `append` resolves (with the record's seq) only once the record is on disk: written and
 *   fdatasync'd, and for a new segment the directory fsync'd too. Appends are group-committed: when
 *   the writer is idle, the first record waits `commitWindowMs` for company (or less, once
 *   `maxBatchRecords`/`maxBatchBytes` are queued); records queued while a commit is in flight go
 *   together into the next one as soon as it ends. A batch is one write and one fdatasync per segment
 *   it touches. Records are written whole, never interleaved, and in `append` call order.
 *   The payload buffer is copied when its batch is written, so the caller must not modify it until
 *   the promise settles.
 * - `replay` yields every durable record above the acknowledged watermark (or above `after`), in seq
 *   order, including records appended while it runs; it ends once it has caught up.
 * - `ack(seq)` persists the watermark, then deletes the segments it fully covers. A crash between
 *   delivery and `ack` replays those records again: consumers dedupe on the envelope id.
 * - Opening after a crash truncates a torn tail of the newest segment (a partially written record,
 *   which no resolved `append` can be part of) and reports it through `onTornTail`.
 * - An invalid record (bad marker, impossible length, CRC mismatch) met by `replay` is reported once
 *   through `onCorrupt` and counted in `corruptRecords`, and reading resumes at the next valid record
 *   (found by its sync marker) or at the next segment. `replay` never throws because of corrupt data.
 * - Size: `bytes` is what the segments take on disk. An `append` that would take the spool past
 *   `maxBytes` rejects with `SpoolFullError` (DT_ERR_SPOOL_FULL). `isFull()` is true from
 *   `highWaterBytes` (default 90% of `maxBytes`), so the caller can refuse new associations while the
 *   ones already running still have room to record their events. Fail-closed or fail-open is the
 *   caller's policy.
 * - One process at a time: the directory is locked with a `lock` file holding the pid (a lock whose
 *   process is gone is taken over).
 *
 * Written now, synced on demand (the write-ahead log of AUDIT_DURABILITY=sync, wal-sink.ts)
 * - `appendNow` writes the record on the calling thread (one write(2) into the page cache, no thread hop)
 *   and returns its seq at once: it is readable by `replay` and survives the death of the process, but not
 *   yet a power loss. `syncNow` makes everything written so far durable (fdatasync, and the directory for
 *   a new segment) on the calling thread; `syncSoon` does the same in the thread pool. `syncedSeq` is the
 *   highest seq made durable. A segment is fdatasync'd before it is closed on a roll.
 * - `appendNow` is not mixed with `append` while a group commit is queued or running (DT_ERR_SPOOL_MODE).
 * - With `preallocate`, the segments `appendNow` starts are files of `segmentBytes` zeros, written and
 *   fdatasync'd in the thread pool ahead of need (`spare-segment`, renamed to its number when the log rolls
 *   onto it): a record then overwrites blocks the file already has, and its sync commits no file-system
 *   metadata (the file's size does not change). A segment ends at its first zero byte where a record would
 *   start (the zeros after the last record are free room, not a torn record); `bytes` counts the records
 *   and headers written here, not the zeros. When the spare cannot be made (the disk is full), or is not ready
 *   yet, the segment is a file that grows with each write.
 */
import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  ftruncateSync,
  open as openFd,
  openSync,
  renameSync,
  rmSync,
  write,
  writeSync,
} from 'node:fs';
import { type FileHandle, mkdir, open, realpath, rename, rm, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';
import {
  acquireLock,
  errCode,
  releaseLock,
  SPARE_NAME,
  segmentName,
  syncDir,
  syncDirNow,
  writeFully,
} from './spool-files.js';
import {
  type CorruptRegion,
  encodeAckFile,
  encodeRecordInto,
  encodeSegmentHeader,
  FileWindow,
  MAX_KEY_BYTES,
  MAX_PAYLOAD_BYTES,
  RECORD_HEADER_BYTES,
  readRecords,
  recordBytes,
  SEGMENT_HEADER_BYTES,
} from './spool-format.js';
import { recoverSpool } from './spool-recovery.js';

export interface SpoolOptions {
  /** Start a new segment when the next record would take the active one past this. Default 16 MiB. */
  segmentBytes?: number;
  /** `append` rejects with SpoolFullError rather than take the segments past this. Default 1 GiB. */
  maxBytes?: number;
  /** `isFull()` is true from here. Default 90% of `maxBytes`. */
  highWaterBytes?: number;
  /** How long the first record of a batch waits for others before the commit. Default 2 ms. */
  commitWindowMs?: number;
  /** Commit at once when this many records are queued (and never put more in one commit). Default 1024. */
  maxBatchRecords?: number;
  /** Commit at once when this many bytes are queued. Default 4 MiB. */
  maxBatchBytes?: number;
  /**
   * Write and fdatasync a commit on the calling thread instead of the thread pool (default false): two thread
   * hops less per commit, for callers that wait on every commit (AUDIT_DURABILITY=sync), at the price of
   * blocking the event loop for the fdatasync.
   */
  inlineCommits?: boolean;
  /**
   * Segments started by `appendNow` are preallocated and zeroed ahead of need (default false): its syncs then
   * overwrite blocks instead of growing the file. Costs `segmentBytes` of disk for the spare.
   */
  preallocate?: boolean;
  /** A spare segment that could not be prepared or taken (the segment grows with its writes instead). */
  onPreallocateFailed?: (err: unknown) => void;
  /** An invalid record or header (reported once per spot per open spool; never thrown). */
  onCorrupt?: (info: SpoolCorruption) => void;
  /** A torn tail cut off the newest segment when opening (the trace of a crash mid-write). */
  onTornTail?: (info: SpoolTornTail) => void;
}

export interface SpoolCorruption {
  /** File name inside the spool directory (`spool-000003.seg`, or `ack`). */
  segment: string;
  offset: number;
  /** Bytes skipped from `offset`. */
  bytes: number;
  reason: string;
}

export interface SpoolTornTail {
  segment: string;
  offset: number;
  bytes: number;
}

export interface SpoolRecord {
  seq: number;
  key: string;
  payload: Buffer;
}

/**
 * A record for `appendAllNow`. A payload given as text (an envelope's JSON) is encoded as UTF-8 straight into
 * the log's write buffer: no bytes of its own first.
 */
export interface SpoolInput {
  key: string;
  payload: Uint8Array | string;
}

/**
 * Told, for each record `appendAllNow` wrote, where its payload's bytes are: `buf[start, end)`, the buffer that
 * was written to the log (shared by the records of that write; the caller must not change it).
 */
export type PayloadPlaced = (index: number, buf: Buffer, start: number, end: number) => void;

/** What `appendAllNow` wrote: `written` records from seq `first` on; why the rest was not, if it was not. */
export interface AppendedNow {
  first: number;
  written: number;
  error?: unknown;
}

export interface ReplayOptions {
  /** Yield only records with a seq above this (default: the acknowledged watermark). */
  after?: number;
}

/** `append` on a spool that has no room for the record (`maxBytes`). */
export class SpoolFullError extends DicomtrailError {
  constructor(context: { dir: string; maxBytes: number; bytes: number; recordBytes: number }) {
    super('DT_ERR_SPOOL_FULL', `event spool ${context.dir} is full (${context.maxBytes} bytes)`, context);
  }
}

interface Segment {
  num: number;
  name: string;
  path: string;
  firstSeq: number;
  /** Highest seq in the segment (for segments found on disk but not scanned: next firstSeq - 1). */
  lastSeq: number;
  /** Bytes in the file. */
  size: number;
  /** Bytes known to be whole (durable, or written by `appendNow` and not yet synced); readers stop here. */
  durable: number;
  /** Write handle, for the active segment only (`fd` when `appendNow` created it). */
  fh?: FileHandle;
  fd?: number;
}

interface Pending {
  key: Buffer;
  payload: Uint8Array;
  size: number;
  resolve: (seq: number) => void;
  reject: (err: unknown) => void;
}

const MiB = 1024 * 1024;
const openDirs = new Set<string>();

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isSafeInteger(v) || v < min) {
    throw new DicomtrailError('DT_ERR_SPOOL_OPTIONS', `spool option ${name} must be an integer >= ${min}`, {
      [name]: v,
    });
  }
  return v;
}

export class Spool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly highWaterBytes: number;
  readonly segmentBytes: number;
  readonly #commitWindowMs: number;
  readonly #maxBatchRecords: number;
  readonly #maxBatchBytes: number;
  readonly #inline: boolean;
  readonly #preallocate: boolean;
  readonly #onPreallocateFailed: ((err: unknown) => void) | undefined;
  readonly #onCorrupt: ((info: SpoolCorruption) => void) | undefined;
  readonly #onTornTail: ((info: SpoolTornTail) => void) | undefined;

  #segments: Segment[] = [];
  #active: Segment | undefined;
  #nextNum = 1;
  #nextSeq = 1;
  /** Persisted watermark. */
  #ackedSeq = 0;
  /** Highest seq asked to be acknowledged (persisted or not yet), and the checkpoint given with it. */
  #ackTarget = 0;
  #ackCheckpoint: Buffer | undefined;
  /** The checkpoint persisted with the watermark (read at open, replaced by each ack that gives one). */
  #checkpoint: Buffer | undefined;
  /** The error of the last append that failed (cleared by the next one that succeeds). */
  #lastError: unknown;
  #bytes = 0;

  #queue: Pending[] = [];
  #queuedBytes = 0;
  /** Cancels the pending commit-window timer. */
  #timer: (() => void) | undefined;
  #flushing: Promise<void> | undefined;
  #serialTail: Promise<unknown> = Promise.resolve();
  #failed: unknown;
  #closing = false;
  #closed: Promise<void> | undefined;
  readonly #reported = new Set<string>();

  /** Highest seq fdatasync'd; a new segment's directory entry not yet synced; the sync in the thread pool. */
  #syncedSeq = 0;
  #dirDirty = false;
  #syncing: Promise<number> | undefined;

  /** The spare segment (zeros, synced), once ready; its preparation under way. */
  #spare: number | undefined;
  #preparing: Promise<void> | undefined;
  #preallocated = 0;

  #appended = 0;
  #replayed = 0;
  #acked = 0;
  #corrupt = 0;
  #commits = 0;

  private constructor(dir: string, options: SpoolOptions) {
    this.dir = dir;
    this.segmentBytes = positiveInt('segmentBytes', options.segmentBytes, 16 * MiB, SEGMENT_HEADER_BYTES + 1);
    this.maxBytes = positiveInt('maxBytes', options.maxBytes, 1024 * MiB);
    this.highWaterBytes = positiveInt(
      'highWaterBytes',
      options.highWaterBytes,
      Math.floor(this.maxBytes * 0.9),
      0,
    );
    this.#commitWindowMs = positiveInt('commitWindowMs', options.commitWindowMs, 2, 0);
    this.#maxBatchRecords = positiveInt('maxBatchRecords', options.maxBatchRecords, 1024);
    this.#maxBatchBytes = positiveInt('maxBatchBytes', options.maxBatchBytes, 4 * MiB);
    this.#inline = options.inlineCommits ?? false;
    this.#preallocate = options.preallocate ?? false;
    this.#onPreallocateFailed = options.onPreallocateFailed;
    this.#onCorrupt = options.onCorrupt;
    this.#onTornTail = options.onTornTail;
  }

  /** Opens (creating if need be) the spool in `dir`, recovering from a crash if there was one. */
  static async open(dir: string, options: SpoolOptions = {}): Promise<Spool> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const real = await realpath(dir);
    if (openDirs.has(real)) {
      throw new DicomtrailError(
        'DT_ERR_SPOOL_LOCKED',
        `event spool ${real} is already open in this process`,
        {
          dir: real,
        },
      );
    }
    const spool = new Spool(real, options);
    openDirs.add(real);
    try {
      await acquireLock(real);
      await spool.#recover();
      return spool;
    } catch (err) {
      openDirs.delete(real);
      await releaseLock(real).catch(() => undefined);
      throw err;
    }
  }

  // ------------------------------------------------------------------------------------ metrics

  /** Records made durable by this instance. */
  get appended(): number {
    return this.#appended;
  }
  /** Records yielded by `replay` (all calls). */
  get replayed(): number {
    return this.#replayed;
  }
  /** Sequence numbers newly covered by the acknowledged watermark since open. */
  get acked(): number {
    return this.#acked;
  }
  /** Corrupt stretches reported (usually one record each). */
  get corruptRecords(): number {
    return this.#corrupt;
  }
  /** Group commits (fdatasyncs of record data) done by this instance. */
  get commits(): number {
    return this.#commits;
  }
  /** Segments started from a preallocated spare by this instance. */
  get preallocated(): number {
    return this.#preallocated;
  }
  /** Bytes of the segments on disk (of a preallocated segment written here, its records and header, not its zeros). */
  get bytes(): number {
    return this.#bytes;
  }
  /** Segment files on disk. */
  get segments(): number {
    return this.#segments.length;
  }
  /** Durable records not yet acknowledged (seq span; corrupt records are counted until acked). */
  get records(): number {
    const oldest = this.#segments[0]?.firstSeq ?? this.#nextSeq;
    return Math.max(0, this.#nextSeq - 1 - Math.max(this.#ackedSeq, oldest - 1));
  }
  /** The persisted acknowledgement watermark. */
  get ackedSeq(): number {
    return this.#ackedSeq;
  }
  /** The checkpoint persisted with the acknowledgement watermark (undefined: none). */
  get checkpoint(): Buffer | undefined {
    return this.#checkpoint;
  }
  /** Why the last append failed, while no later one succeeded (undefined: the log is being written). */
  get writeError(): unknown {
    return this.#failed ?? this.#lastError;
  }
  /** Highest seq written (0 when nothing was ever appended); durable up to `syncedSeq`. */
  get lastSeq(): number {
    return this.#nextSeq - 1;
  }
  /** Highest seq fdatasync'd: every record up to it survives a power loss. */
  get syncedSeq(): number {
    return this.#syncedSeq;
  }

  /** True from `highWaterBytes` on (bytes on disk plus bytes waiting for their commit). */
  isFull(): boolean {
    return this.#bytes + this.#queuedBytes >= this.highWaterBytes;
  }

  // ------------------------------------------------------------------------------------- append

  /** Appends a record; resolves with its seq once it is durable. */
  async append(key: string, payload: Uint8Array): Promise<number> {
    const keyBuf = Buffer.from(key, 'utf8');
    const size = this.#admit(keyBuf.length, payload.length);
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ key: keyBuf, payload, size, resolve, reject });
      this.#queuedBytes += size;
      this.#schedule();
    });
  }

  /**
   * Throws unless the record may be appended (open, not failed, within the limits, with `extra` bytes about
   * to be written before it); its encoded size.
   */
  #admit(keyBytes: number, payloadBytes: number, extra = 0): number {
    if (this.#closing) {
      throw new DicomtrailError('DT_ERR_SPOOL_CLOSED', 'event spool is closed', { dir: this.dir });
    }
    if (this.#failed !== undefined) {
      throw new DicomtrailError(
        'DT_ERR_SPOOL_IO',
        'event spool failed to sync earlier; reopen it',
        { dir: this.dir },
        this.#failed,
      );
    }
    if (keyBytes > MAX_KEY_BYTES || payloadBytes > MAX_PAYLOAD_BYTES) {
      throw new DicomtrailError('DT_ERR_SPOOL_RECORD_TOO_LARGE', 'spool record key or payload too large', {
        keyBytes,
        payloadBytes,
      });
    }
    const size = recordBytes(keyBytes, payloadBytes);
    if (this.#bytes + this.#queuedBytes + extra + SEGMENT_HEADER_BYTES + size > this.maxBytes) {
      this.#lastError = new SpoolFullError({
        dir: this.dir,
        maxBytes: this.maxBytes,
        bytes: this.#bytes + this.#queuedBytes + extra,
        recordBytes: size,
      });
      throw this.#lastError;
    }
    return size;
  }

  /**
   * Writes a record on this thread (into the page cache) and returns its seq: readable and safe from the
   * death of the process at once, durable once `syncNow` or `syncSoon` covered it. Throws when it cannot be
   * written (the segment is cut back to its size before the write).
   */
  appendNow(key: string, payload: Uint8Array): number {
    const r = this.appendAllNow([{ key, payload }]);
    if (r.error !== undefined) throw r.error;
    return r.first;
  }

  /**
   * `appendNow` for several records at once, in order, with one write per segment they touch. The first
   * `written` of them have the seqs from `first` on; `error` says why the rest could not be written.
   */
  appendAllNow(records: readonly SpoolInput[], placed?: PayloadPlaced): AppendedNow {
    if (this.#queue.length > 0 || this.#flushing !== undefined)
      throw new DicomtrailError('DT_ERR_SPOOL_MODE', 'appendNow while a group commit is pending', {
        dir: this.dir,
      });
    const first = this.#nextSeq;
    // The records' encoded sizes, in order (numbers only: the records are encoded from `records` itself).
    const sizes: number[] = [];
    let admitError: unknown;
    let extra = 0;
    for (const r of records) {
      try {
        const payloadBytes =
          typeof r.payload === 'string' ? Buffer.byteLength(r.payload, 'utf8') : r.payload.length;
        const size = this.#admit(Buffer.byteLength(r.key, 'utf8'), payloadBytes, extra);
        sizes.push(size);
        extra += size;
      } catch (err) {
        admitError = err;
        break;
      }
    }
    let i = 0;
    while (i < sizes.length) {
      let seg = this.#active;
      if (seg !== undefined && seg.size + (sizes[i] as number) > this.segmentBytes) {
        try {
          this.#rollNow(seg);
        } catch (err) {
          return { first, written: i, error: err };
        }
        seg = undefined;
      }
      const base = seg === undefined ? 0 : seg.size;
      let partBytes = seg === undefined ? SEGMENT_HEADER_BYTES : 0;
      let j = i;
      while (j < sizes.length && (j === i || base + partBytes + (sizes[j] as number) <= this.segmentBytes)) {
        partBytes += sizes[j] as number;
        j++;
      }
      const seq = this.#nextSeq;
      const buf = Buffer.allocUnsafe(partBytes);
      let off = seg === undefined ? encodeSegmentHeader(seq).copy(buf, 0) : 0;
      const partStart = off;
      for (let k = i; k < j; k++) {
        const r = records[k] as SpoolInput;
        off = encodeRecordInto(buf, off, seq + (k - i), r.key, r.payload);
      }
      let fresh: Segment | undefined;
      try {
        if (seg === undefined) {
          const num = this.#nextNum++;
          const name = segmentName(num);
          const path = join(this.dir, name);
          const fd = this.#takeSpare(path) ?? openSync(path, 'wx', 0o600);
          fresh = { num, name, path, firstSeq: seq, lastSeq: seq - 1, size: 0, durable: 0, fd };
          seg = fresh;
        }
        writeFullySync(fdOf(seg), buf, seg.size);
      } catch (cause) {
        const err = new DicomtrailError(
          'DT_ERR_SPOOL_IO',
          `event spool write failed: ${(cause as Error).message}`,
          { dir: this.dir, segment: seg?.name, stage: 'write' },
          cause,
        );
        this.#lastError = err;
        try {
          if (fresh !== undefined) {
            closeSync(fdOf(fresh));
            rmSync(fresh.path, { force: true });
          } else if (seg !== undefined) ftruncateSync(fdOf(seg), seg.size);
        } catch (undo) {
          this.#failed ??= undo;
        }
        return { first, written: i, error: err };
      }
      if (fresh !== undefined) {
        this.#segments.push(fresh);
        this.#active = fresh;
        this.#dirDirty = true;
        this.#prepareSpare();
      }
      if (placed !== undefined) placeParts(buf, partStart, i, j, placed);
      seg.size += buf.length;
      seg.durable = seg.size;
      seg.lastSeq = seq + (j - i) - 1;
      this.#bytes += buf.length;
      this.#nextSeq += j - i;
      this.#appended += j - i;
      i = j;
    }
    if (admitError !== undefined) return { first, written: sizes.length, error: admitError };
    if (sizes.length > 0) this.#lastError = undefined;
    return { first, written: sizes.length };
  }

  /** Resolves once the spare segment being prepared is ready (or could not be made). */
  prepared(): Promise<void> {
    return this.#preparing ?? Promise.resolve();
  }

  /**
   * The ready spare renamed to `path` (the new segment; its directory entry is synced with the next sync),
   * and its descriptor; undefined when there is none (the caller creates a file that grows).
   */
  #takeSpare(path: string): number | undefined {
    const fd = this.#spare;
    if (fd === undefined) return undefined;
    this.#spare = undefined;
    try {
      renameSync(join(this.dir, SPARE_NAME), path);
    } catch (err) {
      closeSync(fd);
      this.#preallocateFailed(err);
      return undefined;
    }
    this.#preallocated++;
    return fd;
  }

  /**
   * Prepares the next segment in the thread pool: `segmentBytes` zeros written and fdatasync'd, so that the
   * log's syncs there commit no file-system metadata. Not while the file system has less than twice that
   * free (the zeros would take the room the log's records need). A failure leaves no spare (reported): the
   * next segment grows with its writes, and the next roll tries again.
   */
  #prepareSpare(): Promise<void> {
    if (!this.#preallocate || this.#closing || this.#spare !== undefined) return Promise.resolve();
    this.#preparing ??= this.#makeSpare().finally(() => {
      this.#preparing = undefined;
    });
    return this.#preparing;
  }

  async #makeSpare(): Promise<void> {
    const path = join(this.dir, SPARE_NAME);
    try {
      const fs = await statfs(this.dir);
      if (fs.bavail * fs.bsize < 2 * this.segmentBytes) return;
      const fd = await zeroedFile(path, this.segmentBytes);
      if (this.#closing) closeSync(fd);
      else this.#spare = fd;
    } catch (err) {
      await rm(path, { force: true }).catch(() => undefined);
      this.#preallocateFailed(err);
    }
  }

  #preallocateFailed(err: unknown): void {
    try {
      this.#onPreallocateFailed?.(err);
    } catch {
      // A failing observer must not stop the log.
    }
  }

  /** The active segment is full: made durable here, then closed (once a sync in the thread pool is done). */
  #rollNow(seg: Segment): void {
    const fd = fdOf(seg);
    this.#syncOn(() => fdatasyncSync(fd));
    this.#syncedSeq = Math.max(this.#syncedSeq, seg.lastSeq);
    this.#active = undefined;
    delete seg.fh;
    delete seg.fd;
    const syncing = this.#syncing;
    if (syncing === undefined) closeSync(fd);
    else void syncing.finally(() => closeSync(fd)).catch(() => undefined);
  }

  /**
   * Makes every record written so far durable on this thread (fdatasync, and the directory entry of a new
   * segment); returns the seq now durable. Throws when the sync fails: the spool then takes no more records.
   */
  syncNow(): number {
    const target = this.#nextSeq - 1;
    if (target <= this.#syncedSeq) return this.#syncedSeq;
    const seg = this.#active;
    const fd = seg === undefined ? undefined : fdOf(seg);
    this.#syncOn(() => {
      if (fd !== undefined) fdatasyncSync(fd);
      if (this.#dirDirty) {
        this.#dirDirty = false;
        syncDirNow(this.dir);
      }
    });
    this.#commits++;
    this.#syncedSeq = Math.max(this.#syncedSeq, target);
    return this.#syncedSeq;
  }

  /** `syncNow` in the thread pool (the event loop goes on); one at a time. */
  syncSoon(): Promise<number> {
    if (this.#syncing !== undefined) return this.#syncing;
    const target = this.#nextSeq - 1;
    if (target <= this.#syncedSeq) return Promise.resolve(this.#syncedSeq);
    if (this.#failed !== undefined) return Promise.reject(this.#failed);
    const seg = this.#active;
    const fd = seg === undefined ? undefined : fdOf(seg);
    const dir = this.#dirDirty;
    this.#dirDirty = false;
    const run = async (): Promise<number> => {
      try {
        if (fd !== undefined)
          await new Promise<void>((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
        if (dir) await syncDir(this.dir);
      } catch (cause) {
        this.#failed ??= cause;
        throw this.#syncError(cause);
      }
      this.#commits++;
      this.#syncedSeq = Math.max(this.#syncedSeq, target);
      return this.#syncedSeq;
    };
    const p = run().finally(() => {
      if (this.#syncing === p) this.#syncing = undefined;
    });
    this.#syncing = p;
    return p;
  }

  #syncOn(sync: () => void): void {
    if (this.#failed !== undefined) throw this.#syncError(this.#failed);
    try {
      sync();
    } catch (cause) {
      // After a failed fsync the kernel may have dropped the dirty pages: nothing written since the last
      // good sync can be trusted, so the spool stops taking records until it is reopened.
      this.#failed = cause;
      const err = this.#syncError(cause);
      this.#lastError = err;
      throw err;
    }
  }

  #syncError(cause: unknown): DicomtrailError {
    return new DicomtrailError(
      'DT_ERR_SPOOL_IO',
      `event spool sync failed: ${(cause as Error)?.message ?? String(cause)}`,
      { dir: this.dir, stage: 'sync' },
      cause,
    );
  }

  #schedule(): void {
    if (this.#flushing !== undefined) return; // the running flush loop takes the new records
    if (
      this.#closing ||
      this.#queue.length >= this.#maxBatchRecords ||
      this.#queuedBytes >= this.#maxBatchBytes
    ) {
      this.#clearTimer();
      void this.#startFlush();
      return;
    }
    if (this.#timer !== undefined) return;
    const fire = () => {
      this.#timer = undefined;
      void this.#startFlush();
    };
    if (this.#commitWindowMs === 0) {
      const handle = setImmediate(fire);
      this.#timer = () => clearImmediate(handle);
    } else {
      const handle = setTimeout(fire, this.#commitWindowMs);
      this.#timer = () => clearTimeout(handle);
    }
  }

  #clearTimer(): void {
    this.#timer?.();
    this.#timer = undefined;
  }

  #startFlush(): Promise<void> {
    if (this.#flushing !== undefined) return this.#flushing;
    const run = async () => {
      while (this.#queue.length > 0) {
        let n = 0;
        let bytes = 0;
        while (
          n < this.#queue.length &&
          n < this.#maxBatchRecords &&
          (n === 0 || bytes + this.#queue[n]!.size <= this.#maxBatchBytes)
        ) {
          bytes += this.#queue[n]!.size;
          n++;
        }
        const batch = this.#queue.splice(0, n);
        this.#queuedBytes -= bytes;
        await this.#serial(() => this.#writeBatch(batch));
      }
    };
    this.#flushing = run().finally(() => {
      this.#flushing = undefined;
      // Records queued after the loop's last look (between its exit and this callback).
      if (this.#queue.length > 0) this.#schedule();
    });
    return this.#flushing;
  }

  /** Runs file-structure changes (commits, acks, segment deletion) one at a time. */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.#serialTail.then(fn);
    this.#serialTail = result.catch(() => undefined);
    return result;
  }

  /** Writes a batch, one write and one fdatasync per segment touched; settles every record. */
  async #writeBatch(batch: Pending[]): Promise<void> {
    let i = 0;
    while (i < batch.length) {
      if (this.#failed !== undefined) {
        const err = new DicomtrailError(
          'DT_ERR_SPOOL_IO',
          'event spool failed',
          { dir: this.dir },
          this.#failed,
        );
        for (const p of batch.slice(i)) p.reject(err);
        return;
      }
      const first = batch[i]!;
      let seg = this.#active;
      const roll = seg === undefined || seg.size + first.size > this.segmentBytes;
      if (roll && seg !== undefined) {
        await this.#closeActive();
        seg = undefined;
      }
      let j = i;
      let partBytes = seg === undefined ? SEGMENT_HEADER_BYTES : 0;
      const base = seg === undefined ? 0 : seg.size;
      while (j < batch.length && (j === i || base + partBytes + batch[j]!.size <= this.segmentBytes)) {
        partBytes += batch[j]!.size;
        j++;
      }
      const part = batch.slice(i, j);
      const firstSeq = this.#nextSeq;
      const buf = Buffer.allocUnsafe(partBytes);
      let off = 0;
      if (seg === undefined) off = encodeSegmentHeader(firstSeq).copy(buf, 0);
      for (const [n, p] of part.entries()) off = encodeRecordInto(buf, off, firstSeq + n, p.key, p.payload);

      let fresh: Segment | undefined;
      let stage = 'create';
      try {
        if (seg === undefined) {
          const num = this.#nextNum++;
          const name = segmentName(num);
          const path = join(this.dir, name);
          const fh = await open(path, 'wx', 0o600);
          fresh = { num, name, path, firstSeq, lastSeq: firstSeq - 1, size: 0, durable: 0, fh };
          seg = fresh;
        }
        stage = 'write';
        if (this.#inline || seg.fh === undefined) writeFullySync(fdOf(seg), buf, seg.size);
        else await writeFully(seg.fh, buf, seg.size);
        stage = 'sync';
        if (this.#inline || seg.fh === undefined) fdatasyncSync(fdOf(seg));
        else await seg.fh.datasync();
        if (fresh !== undefined || this.#dirDirty) {
          this.#dirDirty = false;
          await syncDir(this.dir);
        }
      } catch (cause) {
        const err = new DicomtrailError(
          'DT_ERR_SPOOL_IO',
          `event spool ${stage} failed: ${(cause as Error).message}`,
          { dir: this.dir, segment: seg?.name, stage },
          cause,
        );
        this.#lastError = err;
        for (const p of batch.slice(i)) p.reject(err);
        await this.#undoPart(seg, fresh, stage === 'sync' ? cause : undefined);
        return;
      }
      if (fresh !== undefined) {
        this.#segments.push(fresh);
        this.#active = fresh;
      }
      seg.size += buf.length;
      seg.durable = seg.size;
      seg.lastSeq = firstSeq + part.length - 1;
      this.#bytes += buf.length;
      this.#nextSeq += part.length;
      this.#appended += part.length;
      this.#commits++;
      this.#syncedSeq = Math.max(this.#syncedSeq, seg.lastSeq);
      this.#lastError = undefined;
      for (const [n, p] of part.entries()) p.resolve(firstSeq + n);
      i = j;
    }
  }

  /** After a failed write: cut the segment back to its durable size (or remove a new one). */
  async #undoPart(seg: Segment | undefined, fresh: Segment | undefined, syncError: unknown): Promise<void> {
    // After a failed fsync the kernel may have dropped the dirty pages: nothing written since the last
    // good sync can be trusted, so the spool stops taking records until it is reopened.
    if (syncError !== undefined) this.#failed = syncError;
    try {
      if (fresh !== undefined) {
        await fresh.fh?.close();
        await rm(fresh.path, { force: true });
      } else if (seg?.fh !== undefined) {
        await seg.fh.truncate(seg.size);
        await seg.fh.datasync();
      }
    } catch (err) {
      this.#failed ??= err;
    }
  }

  async #closeActive(): Promise<void> {
    const seg = this.#active;
    this.#active = undefined;
    const fh = seg?.fh;
    const fd = seg?.fd;
    if (seg !== undefined) {
      delete seg.fh;
      delete seg.fd;
    }
    // A sync in the thread pool may still use the descriptor.
    if (this.#syncing !== undefined) await this.#syncing.catch(() => undefined);
    await fh?.close();
    if (fd !== undefined) closeSync(fd);
  }

  // ---------------------------------------------------------------------------------------- ack

  /**
   * Marks every record up to `seq` as delivered; resolves once the watermark is durable and the
   * segments it covers entirely are deleted.
   */
  async ack(seq: number, checkpoint?: Buffer): Promise<void> {
    if (this.#closing)
      throw new DicomtrailError('DT_ERR_SPOOL_CLOSED', 'event spool is closed', { dir: this.dir });
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > this.#nextSeq - 1) {
      throw new DicomtrailError('DT_ERR_SPOOL_ACK_RANGE', `cannot acknowledge seq ${seq}`, {
        seq,
        lastSeq: this.#nextSeq - 1,
      });
    }
    if (seq > this.#ackTarget) {
      this.#ackTarget = seq;
      this.#ackCheckpoint = checkpoint;
    }
    if (seq <= this.#ackedSeq) return;
    await this.#serial(() => this.#persistAck());
  }

  async #persistAck(): Promise<void> {
    const target = this.#ackTarget;
    const checkpoint = this.#ackCheckpoint;
    if (target <= this.#ackedSeq) return;
    const tmp = join(this.dir, 'ack.tmp');
    try {
      const fh = await open(tmp, 'w', 0o600);
      try {
        await writeFully(fh, encodeAckFile(target, checkpoint), 0);
        await fh.datasync();
      } finally {
        await fh.close();
      }
      await rename(tmp, join(this.dir, 'ack'));
      await syncDir(this.dir);
    } catch (cause) {
      throw new DicomtrailError('DT_ERR_SPOOL_IO', `event spool ack failed: ${(cause as Error).message}`, {
        dir: this.dir,
        seq: target,
      });
    }
    this.#acked += target - this.#ackedSeq;
    this.#ackedSeq = target;
    this.#checkpoint = checkpoint;
    await this.#deleteAcked();
  }

  async #deleteAcked(): Promise<void> {
    while (this.#segments.length > 0 && this.#segments[0]!.lastSeq <= this.#ackedSeq) {
      const seg = this.#segments.shift()!;
      if (seg === this.#active) await this.#closeActive();
      await rm(seg.path, { force: true });
      this.#bytes -= seg.size;
    }
  }

  // ------------------------------------------------------------------------------------- replay

  /**
   * Every durable record above the watermark (or `after`), in seq order, including records appended
   * while replaying; ends when caught up. Corrupt records are reported and skipped.
   */
  async *replay(options: ReplayOptions = {}): AsyncGenerator<SpoolRecord> {
    let cursor = Math.max(options.after ?? 0, this.#ackedSeq);
    let afterNum = 0;
    for (;;) {
      const seg = this.#segments.find((s) => s.num > afterNum && s.lastSeq > cursor);
      if (seg === undefined) return;
      afterNum = seg.num;
      let fh: FileHandle;
      try {
        fh = await open(seg.path, 'r');
      } catch (err) {
        if (errCode(err) === 'ENOENT') continue; // acknowledged and deleted meanwhile
        throw err;
      }
      try {
        const win = new FileWindow(fh, seg.durable);
        let pos = SEGMENT_HEADER_BYTES;
        while (pos < seg.durable) {
          const end = seg.durable;
          win.limit = end;
          for await (const item of readRecords(win, pos, end)) {
            if (item.kind === 'corrupt') {
              this.#reportCorrupt(seg.name, item);
              continue;
            }
            if (item.seq <= cursor) continue;
            cursor = item.seq;
            this.#replayed++;
            yield { seq: item.seq, key: item.key, payload: item.payload };
          }
          pos = end;
        }
      } finally {
        await fh.close();
      }
    }
  }

  #reportCorrupt(segment: string, region: Omit<CorruptRegion, 'kind'>): void {
    const spot = `${segment}@${region.offset}`;
    if (this.#reported.has(spot)) return;
    this.#reported.add(spot);
    this.#corrupt++;
    try {
      this.#onCorrupt?.({ segment, offset: region.offset, bytes: region.bytes, reason: region.reason });
    } catch {
      // A failing observer must not stop the replay.
    }
  }

  // -------------------------------------------------------------------------------------- close

  /** Commits what is queued, then closes; appends afterwards reject with DT_ERR_SPOOL_CLOSED. */
  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing = true;
      this.#clearTimer();
      while (this.#queue.length > 0 || this.#flushing !== undefined) await this.#startFlush();
      // What appendNow wrote is made durable before the segment is closed.
      if (this.#syncing !== undefined) await this.#syncing.catch(() => undefined);
      try {
        if (this.#failed === undefined) this.syncNow();
      } catch {
        // Reported by the sync error itself to whoever waits; closing goes on.
      }
      await this.#serial(() => this.#closeActive()).catch(() => undefined);
      await this.#preparing;
      if (this.#spare !== undefined) closeSync(this.#spare);
      this.#spare = undefined;
      await releaseLock(this.dir);
      openDirs.delete(this.dir);
    })();
    return this.#closed;
  }

  // ----------------------------------------------------------------------------------- recovery

  async #recover(): Promise<void> {
    const recovered = await recoverSpool(this.dir, {
      corrupt: (segment, region) => this.#reportCorrupt(segment, region),
      tornTail: (info) => this.#onTornTail?.(info),
    });
    this.#ackedSeq = this.#ackTarget = recovered.ackedSeq;
    this.#checkpoint = recovered.checkpoint;
    this.#nextNum = recovered.nextNum;
    this.#segments = recovered.segments.map((seg) => ({ ...seg, durable: seg.size }));
    this.#bytes = this.#segments.reduce((sum, seg) => sum + seg.size, 0);
    this.#nextSeq = Math.max(this.#segments.at(-1)?.lastSeq ?? 0, this.#ackedSeq) + 1;
    this.#syncedSeq = this.#nextSeq - 1;
    await this.#deleteAcked();
    await this.#prepareSpare();
  }
}

/** The descriptor of a segment open for writing. */
function fdOf(seg: Segment): number {
  const fd = seg.fd ?? seg.fh?.fd;
  if (fd === undefined)
    throw new DicomtrailError('DT_ERR_SPOOL_IO', `segment ${seg.name} is not open for writing`, {
      segment: seg.name,
    });
  return fd;
}

/** Writes all of `buf` at `position` on this thread (looping over short writes). */
function writeFullySync(fd: number, buf: Buffer, position: number): void {
  let done = 0;
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done);
}

const ZERO_CHUNK = 1024 * 1024;

/** A file of `bytes` zeros at `path` (replacing one there), written and fdatasync'd in the thread pool; its descriptor. */
async function zeroedFile(path: string, bytes: number): Promise<number> {
  const fd = await new Promise<number>((resolve, reject) =>
    openFd(path, 'w', 0o600, (err, fd) => (err ? reject(err) : resolve(fd))),
  );
  try {
    const zeros = Buffer.alloc(Math.min(ZERO_CHUNK, bytes));
    for (let done = 0; done < bytes; ) {
      const len = Math.min(zeros.length, bytes - done);
      done += await new Promise<number>((resolve, reject) =>
        write(fd, zeros, 0, len, done, (err, n) => (err ? reject(err) : resolve(n))),
      );
    }
    await new Promise<void>((resolve, reject) => fdatasync(fd, (err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await new Promise<void>((resolve) => close(fd, () => resolve()));
    throw err;
  }
  return fd;
}

/** `placed` for each of the records `from`..`to` (exclusive) encoded one after the other in `buf` from `at`. */
function placeParts(buf: Buffer, at: number, from: number, to: number, placed: PayloadPlaced): void {
  let off = at;
  for (let k = from; k < to; k++) {
    const payloadBytes = buf.readUInt32BE(off + 8);
    const keyBytes = buf.readUInt16BE(off + 20);
    const start = off + RECORD_HEADER_BYTES + keyBytes;
    off = start + payloadBytes;
    placed(k, buf, start, off);
  }
}
