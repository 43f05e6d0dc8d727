/**
 * Anchors on disk, one file per anchor, append-only: `<dir>/<block>/<seq>-<time>.json` where seq is 10 digits,
 * block is seq / 10,000 in 6 digits (a week of 1-minute anchors per folder) and time is created_at as
 * YYYYMMDDTHHMMSSZ. A file is written under a temporary name, fsync'd, then hard-linked to its final name
 * (which fails rather than replace an existing anchor) and the folder fsync'd, so a crash leaves either the
 * whole anchor or none.
 */
import {
  closeSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { DicomtrailError } from '@dicomtrail/runtime';
import type { Anchor } from './anchor-record.js';

const FILE_RE = /^(\d{10})-\d{8}T\d{6}Z\.json$/;
const BLOCK_RE = /^\d{6}$/;
const BLOCK = 10_000;

export interface AnchorFile {
  /** Path relative to the anchor directory. */
  name: string;
  /** The seq in the file name. */
  seq: number;
  text: string;
}

export function anchorFileName(seq: number, createdAt: string): string {
  const block = String(Math.floor(seq / BLOCK)).padStart(6, '0');
  const time = createdAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(block, `${String(seq).padStart(10, '0')}-${time}.json`);
}

export function writeAnchorFile(dir: string, anchor: Anchor): string {
  const name = anchorFileName(anchor.seq, anchor.created_at);
  const file = path.join(dir, name);
  const folder = path.dirname(file);
  mkdirSync(folder, { recursive: true, mode: 0o755 });
  const tmp = path.join(folder, `.${path.basename(file)}.tmp`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(anchor, null, 1)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_WRITE',
      `cannot write anchor ${file}: ${(err as Error).message}`,
      { file },
      err,
    );
  } finally {
    unlinkSync(tmp);
  }
  const dfd = openSync(folder, 'r');
  try {
    fsyncSync(dfd);
  } finally {
    closeSync(dfd);
  }
  return name;
}

function blocks(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((b) => BLOCK_RE.test(b))
      .sort();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function filesOf(dir: string, block: string): { name: string; seq: number }[] {
  return readdirSync(path.join(dir, block))
    .map((f) => ({ f, m: FILE_RE.exec(f) }))
    .filter((x) => x.m !== null)
    .map((x) => ({ name: path.join(block, x.f), seq: Number(x.m![1]) }))
    .sort((a, b) => a.seq - b.seq);
}

/** Every anchor file of the directory in seq order (their text, unparsed), read one at a time. */
export function* anchorFiles(dir: string): Generator<AnchorFile> {
  for (const b of blocks(dir)) {
    for (const f of filesOf(dir, b)) yield { ...f, text: readFileSync(path.join(dir, f.name), 'utf8') };
  }
}

export function readAnchorFiles(dir: string): AnchorFile[] {
  return [...anchorFiles(dir)];
}

/** The anchor file with the highest seq, if any. */
export function readLastAnchorFile(dir: string): AnchorFile | undefined {
  for (const b of blocks(dir).reverse()) {
    const last = filesOf(dir, b).at(-1);
    if (last) return { ...last, text: readFileSync(path.join(dir, last.name), 'utf8') };
  }
  return undefined;
}
