/**
 * Modality Worklist Information Model - FIND (PS3.4 Annex K) answered from a folder of worklist items:
 * `*.json` files holding one DICOM JSON data set or an array of them, and any other file read as a
 * Part 10 file (dcmtk's `.wl` items made with dump2dcm). The folder is read when a query arrives and
 * a file is parsed again only when its size or mtime changed, so items can be dropped in and edited live.
 * Matching is matching.ts's, including sequence matching on the Scheduled Procedure Step Sequence.
 * An unreadable item is skipped and logged by error kind only (no file name, no parser message: no PHI).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@dicomtrail/runtime';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { readPart10 } from '../dataset/part10.js';
import type { FindResult, QueryRequest } from '../service-classes/query-retrieve.js';
import { Tag } from './attributes.js';
import { matchDataset, project } from './matching.js';

const NOT_MATCHED = new Set<string>([Tag.SpecificCharacterSet]);

interface CachedFile {
  size: number;
  mtimeMs: number;
  items: DicomJson[];
}

/** What went wrong, without the message (which may quote the file's content). */
export function errorKind(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown };
  return String(e?.code ?? e?.name ?? 'error');
}

function parse(file: string): DicomJson[] {
  const bytes = readFileSync(file);
  if (file.endsWith('.json')) {
    const v = JSON.parse(bytes.toString('utf8')) as DicomJson | DicomJson[];
    return Array.isArray(v) ? v : [v];
  }
  const p10 = readPart10(bytes);
  return [
    datasetToDicomJson(p10.datasetBytes, { transferSyntaxUid: p10.transferSyntaxUid, bulkDataThreshold: 0 }),
  ];
}

export class WorklistFolder {
  readonly dir: string;
  readonly #log: Logger;
  readonly #cache = new Map<string, CachedFile>();

  constructor(dir: string, log: Logger) {
    this.dir = dir;
    this.#log = log;
  }

  /** Every worklist item in the folder now; unreadable files are skipped (logged by name, never content). */
  items(): DicomJson[] {
    let names: string[];
    try {
      names = readdirSync(this.dir)
        .filter((n) => !n.startsWith('.'))
        .sort();
    } catch (err) {
      this.#log.warn({ component: 'worklist', error: errorKind(err) }, 'worklist folder not readable');
      return [];
    }
    const out: DicomJson[] = [];
    const seen = new Set<string>();
    for (const name of names) {
      const file = path.join(this.dir, name);
      seen.add(file);
      try {
        const st = statSync(file);
        if (!st.isFile()) continue;
        let c = this.#cache.get(file);
        if (!c || c.size !== st.size || c.mtimeMs !== st.mtimeMs) {
          c = { size: st.size, mtimeMs: st.mtimeMs, items: parse(file) };
          this.#cache.set(file, c);
        }
        out.push(...c.items);
      } catch (err) {
        // Never the file's name or the parser's message: either may quote patient data.
        this.#log.warn({ component: 'worklist', error: errorKind(err) }, 'worklist item skipped');
      }
    }
    for (const k of this.#cache.keys()) if (!seen.has(k)) this.#cache.delete(k);
    return out;
  }
}

/** C-FIND on the worklist: one pending result per matching item, with the requested keys. */
export function* findInWorklist(folder: WorklistFolder, req: QueryRequest): Generator<FindResult> {
  for (const item of folder.items()) {
    if (!matchDataset(req.identifier, item, NOT_MATCHED)) continue;
    const out = project(req.identifier, item);
    delete out[Tag.SpecificCharacterSet];
    yield [0xff00, out];
  }
}
