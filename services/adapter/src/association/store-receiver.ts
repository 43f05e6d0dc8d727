/**
 * Receives a C-STORE data set as a DICOM Part 10 file while it arrives, never re-encoding it: the file meta
 * is built from the command and the presentation context, then the data set bytes follow as received.
 *
 * Two paths, chosen by size:
 * - small instances (up to SMALL_LIMIT) are kept in memory. With `holdSmall` (the storage service files them)
 *   they stay there until the handler writes them once under their final name (held-instances.ts,
 *   service-classes/write-once.ts); otherwise, or past the process's hold budget, they are written to the
 *   temporary file with one synchronous write when the last fragment arrives: one system call instead of a
 *   stream's open/write/close round trips through the thread pool (bench: 2,000 × 10 KB);
 * - larger ones switch to a write stream as soon as they pass the limit, so a 50 MB instance is never
 *   held whole in memory; the socket is paused while the disk is behind (back-pressure).
 * The header (up to Pixel Data) for the storage path, the index and events is condensed
 * (dataset/header-condenser.ts): however long the values before group 0020, the identifying attributes are
 * found, and a value longer than the event value limit is kept as `{length, sha256}`. A data set held in
 * memory is condensed once, when it has arrived (when no event carries the header, not at all: one quick walk
 * finds the Study, Series and SOP Instance UIDs, dataset/study-series.ts); one that streams, as it passes.
 * (Deflated data sets, which cannot be walked before inflating, fall back to the first bytes.)
 * A write error (disk full, not a directory, permissions) or an instance past `maxInstanceBytes` is
 * remembered and becomes status A700; the rest of the data set is read and dropped.
 * Files are created 0600 and folders 0700: they hold PHI.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import {
  closeSync,
  createWriteStream,
  mkdirSync,
  openSync,
  readdirSync,
  rmSync,
  type WriteStream,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';
import { DeferredDicomJson } from '../dataset/deferred-dicom-json.js';
import { datasetToDicomJson, eventValueLimit } from '../dataset/dicom-json.js';
import {
  type CondensedHeader,
  type CondenserOptions,
  condenseDataset,
  HeaderCondenser,
} from '../dataset/header-condenser.js';
import { encodePart10Header } from '../dataset/part10.js';
import { type InstanceUids, readInstanceUids, readStudySeries } from '../dataset/study-series.js';
import { readingProperties } from '../dataset/transfer-syntaxes.js';
import type { CommandSet } from '../dimse/command-set.js';
import type { EventEmitter } from '../events/emitter.js';
import { letGo, reserveHold } from './held-instances.js';
import { InstanceWriteback } from './instance-writeback.js';
import type { NegotiatedContext } from './types.js';

/** What a C-STORE receiver needs of its association: who calls, which events are wanted, back-pressure. */
export interface StoreUser {
  readonly callingAeTitle: string;
  wants: EventEmitter['wants'];
  readonly dul: { pauseReading(by?: string): void; resumeReading(by?: string): void };
}

/** How much of the data set is kept in memory to decode its header. */
const HEADER_PREFIX = 256 * 1024;
/** Data sets up to this size are written in one go; larger ones are streamed. */
const SMALL_LIMIT = 1024 * 1024;

import type { StoredFile } from './stored-file.js';

export type { StoredFile };

const readyDirs = new Set<string>();

/** Temporary file names: random per process, then a counter (a random UUID per C-STORE costs more than its file). */
const tempPrefix = randomUUID();
let tempCount = 0;

/** Mode of stored instances and every file beside them (PHI: the owner only). */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** `<store>/.incoming` of the store folder last asked about (one path.join per store, not per C-STORE). */
let lastStoreDir: string | undefined;
let lastIncomingDir = '';

function incomingDirOf(storeDir: string): string {
  if (storeDir !== lastStoreDir) {
    lastStoreDir = storeDir;
    lastIncomingDir = path.join(storeDir, '.incoming');
  }
  return lastIncomingDir;
}

/** mkdir -p (0700), remembered per process: the incoming and study/series folders are made once. */
export function ensureDir(dir: string): void {
  if (readyDirs.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  readyDirs.add(dir);
}

/**
 * Removes the temporary files of C-STOREs a previous run did not finish (`<store>/.incoming/*.part`);
 * call at start-up, before any association. Returns how many were removed.
 */
export function sweepIncoming(storeDir: string): number {
  const dir = path.join(storeDir, '.incoming');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.endsWith('.part')) continue;
    rmSync(path.join(dir, name), { force: true });
    removed++;
  }
  return removed;
}

/**
 * Runs a file operation in `dir`; if the folder vanished since it was remembered (someone emptied the
 * store), makes it again and retries once.
 */
export function inDir<T>(dir: string, op: () => T): T {
  ensureDir(dir);
  try {
    return op();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    readyDirs.delete(dir);
    ensureDir(dir);
    return op();
  }
}

export class StoreReceiver {
  readonly #assoc: StoreUser;
  readonly #context: NegotiatedContext;
  readonly #tempPath: string;
  readonly #hash: Hash | undefined;
  readonly #decode: boolean;
  readonly #chunks: Buffer[] = [];
  readonly #bulkDataThreshold: number;
  readonly #header: Buffer;
  #buffered = 0;
  #ws: WriteStream | undefined;
  /** Made when the instance is streamed (a held or small one has no file to write back). */
  #writeback: InstanceWriteback | undefined;
  readonly #writebackBytes: number;
  #datasetBytes = 0;
  #error: Error | undefined;
  #paused = false;
  #incomingDir: string;
  #condenser: HeaderCondenser | undefined;
  readonly #explicitVr: boolean;
  readonly #littleEndian: boolean;
  readonly #deflated: boolean;
  readonly #valueLimit: number;
  readonly #maxInstanceBytes: number;
  readonly #holdSmall: boolean;
  #held: Buffer | undefined;
  /**
   * The Part 10 file while the data set is one chunk: the header and that chunk copied once into one buffer
   * (#chunks[0] is a view of it), held or written as it is.
   */
  #whole: Buffer | undefined;

  constructor(
    assoc: StoreUser,
    context: NegotiatedContext,
    command: CommandSet,
    opts: {
      storeDir: string;
      implementationClassUid: string;
      implementationVersionName: string;
      bulkDataThreshold: number;
      /** Data sets longer than this are refused (A700) and not written; default: no limit. */
      maxInstanceBytes?: number;
      /** Keep small instances in memory for the handler to file (StoredFile.held) instead of a temporary file. */
      holdSmall?: boolean;
      /** A streamed instance's temporary file is fdatasync'd in the background every this many bytes (0: never). */
      writebackBytes?: number;
    },
  ) {
    this.#assoc = assoc;
    this.#context = context;
    this.#bulkDataThreshold = opts.bulkDataThreshold;
    this.#maxInstanceBytes = opts.maxInstanceBytes ?? Number.POSITIVE_INFINITY;
    this.#holdSmall = opts.holdSmall === true;
    this.#writebackBytes = opts.writebackBytes ?? 0;
    this.#valueLimit = eventValueLimit();
    const ts = readingProperties(context.transferSyntax);
    this.#explicitVr = ts.explicitVr;
    this.#littleEndian = ts.littleEndian;
    this.#deflated = ts.deflated;
    // Hashing (≈30 ms per 50 MB) and a full header decode are done only when an event will carry them.
    this.#decode = assoc.wants('EVT_C_STORE') || assoc.wants('EVT_DIMSE_RECV');
    this.#hash = this.#decode ? createHash('sha256') : undefined;
    this.#incomingDir = incomingDirOf(opts.storeDir);
    this.#tempPath = `${this.#incomingDir}${path.sep}${tempPrefix}-${(tempCount++).toString(36)}.part`;
    this.#header = encodePart10Header({
      mediaStorageSopClassUid: command.affectedSopClassUid ?? context.abstractSyntax,
      mediaStorageSopInstanceUid: command.affectedSopInstanceUid ?? '',
      transferSyntaxUid: context.transferSyntax,
      implementationClassUid: opts.implementationClassUid,
      implementationVersionName: opts.implementationVersionName,
      sourceApplicationEntityTitle: assoc.callingAeTitle,
    });
  }

  #condenserOptions(): CondenserOptions {
    return { explicitVr: this.#explicitVr, littleEndian: this.#littleEndian, valueLimit: this.#valueLimit };
  }

  /**
   * Starts condensing what is buffered, before it is let go (streamed, or refused: the event still carries
   * the header read so far); later chunks are pushed as they come. Not for a Deflated data set (not walkable
   * before inflating).
   */
  #startCondenser(): void {
    if (this.#condenser !== undefined || this.#deflated) return;
    const condenser = new HeaderCondenser(this.#condenserOptions());
    for (const c of this.#chunks) if (!condenser.done) condenser.push(c);
    this.#condenser = condenser;
  }

  /**
   * The condensed header: from the condenser of a streamed (or refused) instance, else, when an event carries
   * it, of the data set held whole, in one go (one copy when nothing is left out: header-condenser.ts).
   */
  #condensed(): CondensedHeader | undefined {
    if (this.#condenser) return this.#condenser.result();
    if (!this.#decode || this.#deflated || this.#chunks.length === 0) return undefined;
    if (this.#chunks.length === 1) return condenseDataset(this.#chunks[0]!, this.#condenserOptions());
    this.#startCondenser();
    return this.#condenser!.result();
  }

  write(chunk: Buffer): void {
    this.#datasetBytes += chunk.length;
    if (this.#error) return;
    if (this.#datasetBytes > this.#maxInstanceBytes) {
      this.#refuse(
        new DicomtrailError(
          'DT_ERR_STORE_INSTANCE_TOO_LARGE',
          `instance larger than ${this.#maxInstanceBytes} bytes`,
          { maxInstanceBytes: this.#maxInstanceBytes },
        ),
      );
      return;
    }
    this.#hash?.update(chunk);
    if (this.#condenser && !this.#condenser.done) this.#condenser.push(chunk);
    if (this.#ws === undefined) {
      // The chunk is a view into a socket buffer that will be reused: keep a copy.
      if (this.#chunks.length === 0) {
        const whole = Buffer.allocUnsafe(this.#header.length + chunk.length);
        this.#header.copy(whole, 0);
        chunk.copy(whole, this.#header.length);
        this.#whole = whole;
        this.#chunks.push(whole.subarray(this.#header.length));
      } else {
        this.#whole = undefined;
        this.#chunks.push(Buffer.from(chunk));
      }
      this.#buffered += chunk.length;
      if (this.#buffered > SMALL_LIMIT) this.#startStreaming();
      return;
    }
    const accepted = this.#ws.write(chunk);
    this.#writeback?.wrote(this.#ws, chunk.length);
    if (!accepted && !this.#paused) {
      this.#paused = true;
      this.#assoc.dul.pauseReading();
    }
  }

  /** Stops writing: the file is removed, what is held let go, the rest of the data set read and dropped. */
  #refuse(err: Error): void {
    if (this.#decode) this.#startCondenser();
    this.#error = err;
    this.#chunks.length = 0;
    this.#whole = undefined;
    const ws = this.#ws;
    if (ws) void this.#endWriteback().then(() => ws.destroy());
    removeQuietly(this.#tempPath);
    this.#resume();
  }

  #startStreaming(): void {
    // Only a prefix stays in memory from here on: what is buffered so far is condensed now, the rest as it comes.
    this.#startCondenser();
    try {
      inDir(this.#incomingDir, () => closeSync(openSync(this.#tempPath, 'w', FILE_MODE)));
      const ws = createWriteStream(this.#tempPath, { highWaterMark: 1024 * 1024, mode: FILE_MODE });
      this.#writeback = new InstanceWriteback(this.#writebackBytes, (err) => {
        this.#error ??= err;
      });
      ws.on('error', (err) => {
        this.#error ??= err;
        this.#resume();
      });
      ws.on('drain', () => this.#resume());
      this.#ws = ws;
      ws.write(this.#header);
      // Keep only the header prefix in memory from here on.
      let kept = 0;
      const prefix: Buffer[] = [];
      for (const c of this.#chunks) {
        ws.write(c);
        if (kept < HEADER_PREFIX) {
          prefix.push(c.subarray(0, HEADER_PREFIX - kept));
          kept += Math.min(c.length, HEADER_PREFIX - kept);
        }
      }
      this.#chunks.length = 0;
      this.#chunks.push(...prefix);
      this.#whole = undefined;
    } catch (err) {
      this.#error = err as Error;
      this.#chunks.length = 0;
      this.#whole = undefined;
    }
  }

  #endWriteback(): Promise<void> {
    return this.#writeback?.end() ?? Promise.resolve();
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#assoc.dul.resumeReading();
  }

  end(): Promise<StoredFile> {
    const condensed = this.#condensed();
    const whole = condensed?.complete ? condensed : undefined;
    const header = this.#decodeHeader(whole);
    // Before the small path writes and lets go of the chunks.
    const ids = whole
      ? identifiersOf(whole, this.#context.transferSyntax)
      : (this.#scanHeld() ?? this.#scanStudySeries(header));
    const finish = (): StoredFile => {
      this.#resume();
      const stored: StoredFile = {
        tempPath: this.#tempPath,
        datasetBytes: this.#datasetBytes,
        fileBytes: this.#header.length + this.#datasetBytes,
      };
      if (this.#hash) stored.sha256 = this.#hash.digest('hex');
      if (header) stored.header = header;
      if (this.#held) stored.held = this.#held;
      if (ids?.studyInstanceUid) stored.studyInstanceUid = ids.studyInstanceUid;
      if (ids?.seriesInstanceUid) stored.seriesInstanceUid = ids.seriesInstanceUid;
      if (ids?.sopInstanceUid) stored.sopInstanceUid = ids.sopInstanceUid;
      if (this.#error) {
        stored.error = this.#error;
        removeQuietly(this.#tempPath);
      }
      return stored;
    };
    const ws = this.#ws;
    if (ws === undefined) {
      if (!this.#error && !this.#hold()) this.#writeSmall();
      return Promise.resolve(finish());
    }
    return new Promise((resolve) => {
      if (this.#error || ws.destroyed) {
        void this.#endWriteback().then(() => ws.destroy());
        resolve(finish());
        return;
      }
      let done = false;
      const once = (): void => {
        if (done) return;
        done = true;
        resolve(finish());
      };
      ws.once('close', once);
      ws.once('error', once);
      void this.#endWriteback().then(() => ws.end());
    });
  }

  /** Keeps the small instance in memory for the handler, within the process's budget. */
  #hold(): boolean {
    const bytes = this.#header.length + this.#buffered;
    if (!this.#holdSmall || !reserveHold(bytes)) return false;
    this.#held = this.#file(bytes);
    this.#chunks.length = 0;
    this.#whole = undefined;
    return true;
  }

  /** The whole Part 10 file of a small instance (`bytes` long). */
  #file(bytes: number): Buffer {
    return this.#whole ?? Buffer.concat([this.#header, ...this.#chunks], bytes);
  }

  #writeSmall(): void {
    let fd: number | undefined;
    try {
      fd = inDir(this.#incomingDir, () => openSync(this.#tempPath, 'w', FILE_MODE));
      writeSync(fd, this.#file(this.#header.length + this.#buffered));
    } catch (err) {
      this.#error = err as Error;
    } finally {
      if (fd !== undefined) closeSync(fd);
      this.#chunks.length = 0;
      this.#whole = undefined;
    }
  }

  discard(): void {
    const ws = this.#ws;
    if (ws) void this.#endWriteback().then(() => ws.destroy());
    removeQuietly(this.#tempPath);
    this.#resume();
  }

  #prefix(): Buffer {
    const all = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    return all.subarray(0, HEADER_PREFIX);
  }

  /** The UIDs of a data set in memory whole and not condensed (no event carries it): one walk of it. */
  #scanHeld(): InstanceUids | undefined {
    if (this.#decode || this.#condenser !== undefined || this.#ws !== undefined || this.#chunks.length === 0)
      return undefined;
    const dataset = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks);
    return readInstanceUids(dataset, this.#context.transferSyntax);
  }

  #scanStudySeries(header: DeferredDicomJson | undefined): InstanceUids | undefined {
    if (this.#chunks.length === 0) return undefined;
    const quick = readStudySeries(this.#prefix(), this.#context.transferSyntax);
    return quick ?? fromHeader(header?.value() ?? this.#fullHeader() ?? {});
  }

  /**
   * The header for events, left undecoded: the condensed header, or (deflated) the first bytes (the chunks
   * are copies, never reused).
   */
  #decodeHeader(condensed: CondensedHeader | undefined): DeferredDicomJson | undefined {
    if (!this.#decode) return undefined;
    if (condensed)
      return new DeferredDicomJson(exactBytes(condensed.bytes), {
        transferSyntaxUid: this.#context.transferSyntax,
        bulkDataThreshold: this.#bulkDataThreshold,
        untilTag: '7FE00010',
        valueLimit: this.#valueLimit,
        elided: condensed.elided,
      });
    if (this.#chunks.length === 0) return undefined;
    return new DeferredDicomJson(exactBytes(this.#prefix()), {
      transferSyntaxUid: this.#context.transferSyntax,
      bulkDataThreshold: this.#bulkDataThreshold,
      untilTag: '7FE00010',
    });
  }

  #fullHeader(): Record<string, unknown> | undefined {
    if (this.#chunks.length === 0) return undefined;
    const prefix = this.#prefix();
    try {
      return datasetToDicomJson(prefix, {
        transferSyntaxUid: this.#context.transferSyntax,
        bulkDataThreshold: this.#bulkDataThreshold,
        untilTag: '7FE00010',
      });
    } catch {
      return undefined;
    }
  }
}

/**
 * Writes a held instance to its temporary file and lets go of it in memory: for a C-STORE handler that reads
 * the file (a bound replacement of the default filing).
 */
export function spillHeld(stored: StoredFile): void {
  const bytes = stored.held;
  if (!bytes) return;
  inDir(path.dirname(stored.tempPath), () => writeFileSync(stored.tempPath, bytes, { mode: FILE_MODE }));
  letGo(stored);
}

/**
 * Study and Series Instance UIDs of a condensed header. One too long to be kept (a UID has at most 64
 * characters) is reported as its length, which no UID check accepts: the instance is refused, not filed
 * as if it had none.
 */
function identifiersOf(condensed: CondensedHeader, transferSyntax: string): InstanceUids | undefined {
  const ids = readInstanceUids(condensed.bytes, transferSyntax);
  for (const e of condensed.elided) {
    if (e.tag === '0020000D') return { ...ids, studyInstanceUid: `(${e.length} bytes)` };
    if (e.tag === '0020000E') return { ...ids, seriesInstanceUid: `(${e.length} bytes)` };
  }
  return ids;
}

function fromHeader(header: Record<string, unknown>): InstanceUids {
  const v = (tag: string): string | undefined => {
    const x = (header[tag] as { Value?: unknown[] } | undefined)?.Value?.[0];
    return typeof x === 'string' ? x : undefined;
  };
  const out: InstanceUids = {};
  const study = v('0020000D');
  const series = v('0020000E');
  if (study) out.studyInstanceUid = study;
  if (series) out.seriesInstanceUid = series;
  return out;
}

/** The bytes of a view in a buffer of their own (a structured clone copies a view's whole buffer). */
function exactBytes(b: Buffer): Buffer {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : Buffer.from(new Uint8Array(b));
}

/** Removes a temporary file; a path that cannot exist (ENOTDIR, ...) is already gone. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // nothing was written there
  }
}
