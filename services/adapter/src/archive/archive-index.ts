/**
 * The durable index: the in-process InstanceIndex, its journal, and the storage directory it describes.
 *
 * At start-up the journal is replayed, then reconciled with the files actually in the store: a journal
 * entry whose file is gone is dropped, a file the journal does not know (copied in by hand, or stored
 * while the journal was lost) is read and indexed. So the store is the source of truth and the journal
 * only a fast path; when anything was reconciled, or lines were superseded or corrupt, the journal is
 * compacted. After start-up every successful C-STORE is indexed and appended.
 */
import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@dicomtrail/runtime';
import { sweepIncoming } from '../association/store-receiver.js';
import { removeUnfinished } from '../service-classes/write-once.js';
import { IndexJournal } from './index-journal.js';
import { readIndexedInstance } from './instance-header.js';
import { type IndexedInstance, InstanceIndex } from './instance-index.js';
import { errorKind } from './worklist.js';

export interface ArchiveIndexOptions {
  storeDir: string;
  /** Where the journal lives (default `<storeDir>/.archive`). */
  indexDir?: string;
  log: Logger;
  /** Sum the stored files' sizes at start-up (for a store size limit). */
  countBytes?: boolean;
}

export interface OpenStats {
  instances: number;
  journal_lines: number;
  journal_corrupt: number;
  dropped_missing: number;
  scanned: number;
  unreadable: number;
  /** Temporary files of interrupted C-STOREs removed from `.incoming`. */
  incoming_swept: number;
  /** Files of interrupted C-STOREs left unfinished under their final name, removed (write-once.ts). */
  unfinished_removed: number;
  ms: number;
}

/** Every regular file below `dir`, skipping dot-files and dot-folders (.incoming, .archive). */
function storedFiles(dir: string): Set<string> {
  const out = new Set<string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    // Dirent.parentPath from Node 20.12; `path` before it.
    const full = path.join(e.parentPath ?? (e as { path?: string }).path ?? dir, e.name);
    if (
      path
        .relative(dir, full)
        .split(path.sep)
        .some((seg) => seg.startsWith('.'))
    )
      continue;
    out.add(full);
  }
  return out;
}

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

export class ArchiveIndex {
  readonly index = new InstanceIndex();
  readonly storeDir: string;
  readonly #journal: IndexJournal;
  readonly #log: Logger;
  #storedBytes = 0;

  private constructor(storeDir: string, journal: IndexJournal, log: Logger) {
    this.storeDir = storeDir;
    this.#journal = journal;
    this.#log = log;
  }

  static open(opts: ArchiveIndexOptions): { archiveIndex: ArchiveIndex; stats: OpenStats } {
    const t0 = performance.now();
    const storeDir = path.resolve(opts.storeDir);
    const indexDir = path.resolve(opts.indexDir ?? path.join(storeDir, '.archive'));
    for (const dir of [storeDir, indexDir]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      chmodSync(dir, 0o700);
    }
    const swept = sweepIncoming(storeDir);
    const unfinished = removeUnfinished(storeDir);
    const journal = new IndexJournal(path.join(indexDir, 'instances.jsonl'), storeDir, {
      onError: (err) =>
        // The batch's instances are indexed in memory; the next start-up scan journals them.
        opts.log.warn({ component: 'archive', error: errorKind(err) }, 'index journal batch not written'),
    });
    const self = new ArchiveIndex(storeDir, journal, opts.log);
    const contents = journal.read();
    const onDisk = storedFiles(storeDir);
    let dropped = 0;
    for (const r of contents.records) {
      if (onDisk.has(r.path)) self.index.add(r);
      else dropped++;
    }
    const known = new Set(self.index.paths());
    let scanned = 0;
    let unreadable = 0;
    for (const file of onDisk) {
      if (known.has(file)) continue;
      try {
        if (self.index.add(readIndexedInstance(file))) scanned++;
        else unreadable++;
      } catch {
        unreadable++;
      }
    }
    if (opts.countBytes) for (const r of self.index.paths()) self.#storedBytes += sizeOf(r);
    if (scanned > 0 || dropped > 0 || contents.corrupt > 0 || contents.lines !== self.index.size)
      journal.rewrite(self.index.instances());
    const stats: OpenStats = {
      instances: self.index.size,
      journal_lines: contents.lines,
      journal_corrupt: contents.corrupt,
      dropped_missing: dropped,
      scanned,
      unreadable,
      incoming_swept: swept,
      unfinished_removed: unfinished,
      ms: Math.round(performance.now() - t0),
    };
    opts.log.info({ component: 'archive', ...stats }, 'archive index ready');
    return { archiveIndex: self, stats };
  }

  /** Bytes of the indexed files (counted at start-up when asked for, then added per C-STORE). */
  get storedBytes(): number {
    return this.#storedBytes;
  }

  /** Indexes a newly stored instance and journals it; `bytes`: its file's size, for the store's total. */
  add(inst: IndexedInstance, bytes = 0): boolean {
    const sop = inst.attributes['00080018']?.Value?.[0];
    const known = typeof sop === 'string' && this.index.get(sop.trim())?.path === inst.path;
    if (!this.index.add(inst)) {
      this.#log.warn(
        { component: 'archive' },
        'stored instance not indexed: no Study/Series/SOP Instance UID',
      );
      return false;
    }
    if (!known) this.#storedBytes += bytes;
    this.#journal.append(inst);
    return true;
  }

  close(): void {
    this.#journal.close();
  }
}
