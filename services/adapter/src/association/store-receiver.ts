/**
 * Streams a received C-STORE data set to disk as a DICOM Part 10 file while it arrives: the file meta is
 * written from the command and the presentation context, then each data set fragment as it comes, never
 * the whole instance in memory. The socket is paused while the disk is behind (back-pressure). The first
 * bytes are kept to decode the header (up to Pixel Data) for events and the index.
 * A write error (disk full, permissions) is remembered and becomes the C-STORE failure status A700.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, rmSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { datasetToDicomJson } from '../dataset/dicom-json.js';
import { encodePart10Header } from '../dataset/part10.js';
import type { CommandSet } from '../dimse/command-set.js';
import type { Association } from './association.js';
import type { NegotiatedContext } from './types.js';

/** How much of the data set is kept in memory to decode its header. */
const HEADER_PREFIX = 256 * 1024;

export interface StoredFile {
  /** The temporary file holding the Part 10 instance; the C-STORE handler moves it (or it is deleted). */
  tempPath: string;
  /** Bytes of the data set (without the Part 10 header). */
  datasetBytes: number;
  fileBytes: number;
  sha256: string;
  /** The header decoded as DICOM JSON (up to Pixel Data), when it could be decoded. */
  header?: Record<string, unknown>;
  /** Where the C-STORE handler put the file (set by the handler; unset: the temporary file is deleted). */
  finalPath?: string;
  /** Set when writing failed: the instance is not stored. */
  error?: Error;
}

export class StoreReceiver {
  readonly #assoc: Association;
  readonly #context: NegotiatedContext;
  readonly #tempPath: string;
  readonly #ws: WriteStream | undefined;
  readonly #hash: Hash = createHash('sha256');
  readonly #prefix: Buffer[] = [];
  readonly #bulkDataThreshold: number;
  #prefixLength = 0;
  #datasetBytes = 0;
  #headerBytes = 0;
  #error: Error | undefined;
  #paused = false;

  constructor(
    assoc: Association,
    context: NegotiatedContext,
    command: CommandSet,
    opts: {
      storeDir: string;
      implementationClassUid: string;
      implementationVersionName: string;
      bulkDataThreshold: number;
    },
  ) {
    this.#assoc = assoc;
    this.#context = context;
    this.#bulkDataThreshold = opts.bulkDataThreshold;
    const dir = path.join(opts.storeDir, '.incoming');
    this.#tempPath = path.join(dir, `${randomUUID()}.part`);
    try {
      mkdirSync(dir, { recursive: true });
      this.#ws = createWriteStream(this.#tempPath, { highWaterMark: 1024 * 1024 });
      this.#ws.on('error', (err) => {
        this.#error ??= err;
        this.#resume();
      });
      this.#ws.on('drain', () => this.#resume());
    } catch (err) {
      this.#error = err as Error;
      this.#ws = undefined;
    }
    const header = encodePart10Header({
      mediaStorageSopClassUid: command.affectedSopClassUid ?? context.abstractSyntax,
      mediaStorageSopInstanceUid: command.affectedSopInstanceUid ?? '',
      transferSyntaxUid: context.transferSyntax,
      implementationClassUid: opts.implementationClassUid,
      implementationVersionName: opts.implementationVersionName,
      sourceApplicationEntityTitle: assoc.callingAeTitle,
    });
    this.#headerBytes = header.length;
    this.#ws?.write(header);
  }

  write(chunk: Buffer): void {
    this.#datasetBytes += chunk.length;
    this.#hash.update(chunk);
    if (this.#prefixLength < HEADER_PREFIX) {
      // The chunk is a view into a socket buffer: copy only the part we keep.
      const keep = chunk.subarray(0, HEADER_PREFIX - this.#prefixLength);
      this.#prefix.push(Buffer.from(keep));
      this.#prefixLength += keep.length;
    }
    if (this.#error || !this.#ws) return;
    if (!this.#ws.write(chunk) && !this.#paused) {
      this.#paused = true;
      this.#assoc.dul.pauseReading();
    }
  }

  #resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#assoc.dul.resumeReading();
  }

  end(): Promise<StoredFile> {
    return new Promise((resolve) => {
      const finish = (): void => {
        this.#resume();
        const stored: StoredFile = {
          tempPath: this.#tempPath,
          datasetBytes: this.#datasetBytes,
          fileBytes: this.#headerBytes + this.#datasetBytes,
          sha256: this.#hash.digest('hex'),
        };
        const header = this.#decodeHeader();
        if (header) stored.header = header;
        if (this.#error) {
          stored.error = this.#error;
          removeQuietly(this.#tempPath);
        }
        resolve(stored);
      };
      const ws = this.#ws;
      if (!ws || this.#error || ws.destroyed) {
        ws?.destroy();
        finish();
        return;
      }
      let done = false;
      const once = (): void => {
        if (done) return;
        done = true;
        finish();
      };
      ws.once('close', once);
      ws.once('error', once);
      ws.end();
    });
  }

  discard(): void {
    this.#ws?.destroy();
    removeQuietly(this.#tempPath);
    this.#resume();
  }

  #decodeHeader(): Record<string, unknown> | undefined {
    const prefix = Buffer.concat(this.#prefix, this.#prefixLength);
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

/** Removes a temporary file; a path that cannot exist (ENOTDIR, ...) is already gone. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // nothing was written there
  }
}
