/**
 * The index's journal: one JSON line per indexed instance, appended on every successful C-STORE, so a
 * restart rebuilds the index without parsing 100,000 headers. Line format:
 *
 *   {"p":"<path relative to the store>","t":"<transfer syntax UID>","a":{<indexed attributes, DICOM JSON>}}
 *
 * A later line for the same SOP Instance UID supersedes an earlier one. A torn last line (crash while
 * appending) or a corrupt one is skipped and counted; `rewrite` compacts the file (temporary file + rename).
 * The file is created 0600: its attributes are PHI. A journal folder that vanished before the first append
 * (someone emptied the store) is made again, so instances filed from then on are still journaled.
 *
 * Lines are written in batches: an appended line waits at most `flushDelayMs` (default 100 ms), or until
 * `flushBytes` of text wait, or `flush`/`close`. The in-memory index has the instance at once (queries never
 * read the journal), and a line lost in a crash costs nothing but a parse: the start-up scan
 * (archive-index.ts) indexes every stored file the journal does not name. The file itself is opened (made)
 * at the first append.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { inDir } from '../association/store-receiver.js';
import type { DicomJson } from '../dataset/dicom-json.js';
import { nameBelow } from '../dataset/uid-syntax.js';
import type { IndexedInstance } from './instance-index.js';

interface JournalLine {
  p: string;
  t: string;
  a: DicomJson;
}

export interface JournalContents {
  records: IndexedInstance[];
  lines: number;
  corrupt: number;
}

export interface JournalBatching {
  /** Longest an appended line waits to be written; 0: written at once. Default 100. */
  flushDelayMs?: number;
  /** Waiting text (UTF-16 code units) that is written at once. Default 64 Ki. */
  flushBytes?: number;
  /** A batch written from the timer failed (its instances are picked up by the next start-up scan). */
  onError?: (err: unknown) => void;
}

export const JOURNAL_FLUSH_DELAY_MS = 100;
export const JOURNAL_FLUSH_BYTES = 64 * 1024;

export class IndexJournal {
  readonly file: string;
  readonly #storeDir: string;
  readonly #delayMs: number;
  readonly #flushBytes: number;
  readonly #onError: (err: unknown) => void;
  #fd: number | undefined;
  #pending: string[] = [];
  #pendingBytes = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(file: string, storeDir: string, batching: JournalBatching = {}) {
    this.file = file;
    this.#storeDir = storeDir;
    this.#delayMs = batching.flushDelayMs ?? JOURNAL_FLUSH_DELAY_MS;
    this.#flushBytes = batching.flushBytes ?? JOURNAL_FLUSH_BYTES;
    this.#onError =
      batching.onError ??
      ((err) => process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'IndexJournal'));
  }

  /** A journal path back to an absolute one (plain concatenation: path.resolve per line cost ~1 s per 100,000). */
  #resolve(p: string): string {
    if (path.isAbsolute(p) || p.startsWith('..')) return path.resolve(this.#storeDir, p);
    return this.#storeDir.endsWith(path.sep) ? `${this.#storeDir}${p}` : `${this.#storeDir}${path.sep}${p}`;
  }

  #line(inst: IndexedInstance): string {
    const rec: JournalLine = {
      // The storage layout's paths without path calls; #resolve gives them back as they were.
      p: nameBelow(this.#storeDir, inst.path) ?? path.relative(this.#storeDir, inst.path),
      t: inst.transferSyntax,
      a: inst.attributes,
    };
    return `${JSON.stringify(rec)}\n`;
  }

  /** Every record in the file, in order (superseded ones included). */
  read(): JournalContents {
    const out: JournalContents = { records: [], lines: 0, corrupt: 0 };
    if (!existsSync(this.file)) return out;
    const text = readFileSync(this.file, 'utf8');
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      out.lines++;
      try {
        const r = JSON.parse(line) as JournalLine;
        if (typeof r.p !== 'string' || typeof r.t !== 'string' || typeof r.a !== 'object')
          throw new TypeError('shape');
        out.records.push({ path: this.#resolve(r.p), transferSyntax: r.t, attributes: r.a });
      } catch {
        out.corrupt++;
      }
    }
    return out;
  }

  append(inst: IndexedInstance): void {
    this.#fd ??= inDir(path.dirname(this.file), () => openSync(this.file, 'a', 0o600));
    const line = this.#line(inst);
    if (this.#delayMs <= 0) {
      appendFileSync(this.#fd, line);
      return;
    }
    this.#pending.push(line);
    this.#pendingBytes += line.length;
    if (this.#pendingBytes >= this.#flushBytes) this.flush();
    else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        try {
          this.flush();
        } catch (err) {
          this.#onError(err);
        }
      }, this.#delayMs);
      this.#timer.unref();
    }
  }

  /** Lines appended and not yet written: how many. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Writes the waiting lines. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#pending.length === 0 || this.#fd === undefined) return;
    const text = this.#pending.join('');
    this.#pending = [];
    this.#pendingBytes = 0;
    appendFileSync(this.#fd, text);
  }

  /** Replaces the file with exactly these records. */
  rewrite(records: Iterable<IndexedInstance>): void {
    // Waiting lines are among the records (the index has them): written once, by the rewrite.
    this.#pending = [];
    this.#pendingBytes = 0;
    this.close();
    const tmp = `${this.file}.tmp`;
    const parts: string[] = [];
    for (const r of records) parts.push(this.#line(r));
    writeFileSync(tmp, parts.join(''), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  close(): void {
    try {
      this.flush();
    } finally {
      if (this.#fd !== undefined) closeSync(this.#fd);
      this.#fd = undefined;
    }
  }
}
