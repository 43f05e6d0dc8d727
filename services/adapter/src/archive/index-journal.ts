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

export class IndexJournal {
  readonly file: string;
  readonly #storeDir: string;
  #fd: number | undefined;

  constructor(file: string, storeDir: string) {
    this.file = file;
    this.#storeDir = storeDir;
  }

  /** A journal path back to an absolute one (plain concatenation: path.resolve per line cost ~1 s per 100,000). */
  #resolve(p: string): string {
    if (path.isAbsolute(p) || p.startsWith('..')) return path.resolve(this.#storeDir, p);
    return this.#storeDir.endsWith(path.sep) ? `${this.#storeDir}${p}` : `${this.#storeDir}${path.sep}${p}`;
  }

  #line(inst: IndexedInstance): string {
    const rec: JournalLine = {
      p: path.relative(this.#storeDir, inst.path),
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
    appendFileSync(this.#fd, this.#line(inst));
  }

  /** Replaces the file with exactly these records. */
  rewrite(records: Iterable<IndexedInstance>): void {
    this.close();
    const tmp = `${this.file}.tmp`;
    const parts: string[] = [];
    for (const r of records) parts.push(this.#line(r));
    writeFileSync(tmp, parts.join(''), { mode: 0o600 });
    renameSync(tmp, this.file);
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
