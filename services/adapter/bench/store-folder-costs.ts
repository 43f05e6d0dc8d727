/**
 * What the file system under a benchmark's store folder costs per operation, measured in the same run as the
 * receivers: creating a file (openat O_CREAT|O_EXCL, what storescp and our write-once store both do per
 * instance) and an fdatasync of a small write into a preallocated file (what a durable answer waits for). On one
 * ext4 disk the first differs by folder by more than an order of magnitude (the inode allocator's search), so a
 * receiver comparison is read together with it.
 */
import { closeSync, constants, fdatasyncSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { median, round } from './bench-support.js';

export interface StoreFolderCosts {
  folder: string;
  /** Median µs of one openat(O_CREAT|O_EXCL|O_WRONLY) of a new file, over `files` files of ~10 KB. */
  create_us: number;
  files: number;
  /** Median µs of one 1.5 KB write + fdatasync at the end of a preallocated file, over `syncs` syncs. */
  fdatasync_us: number;
  syncs: number;
}

function micros(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1000;
}

/**
 * Median µs of creating `files` new ~10 KB files directly in `dir` (an existing folder, e.g. where a receiver
 * has just filed its instances); they are removed again.
 */
export function fileCreationCost(dir: string, files: number): number {
  const body = Buffer.alloc(10_000, 0x41);
  const creates: number[] = [];
  const names: string[] = [];
  try {
    for (let i = 0; i < files; i++) {
      const name = path.join(dir, `dt-fs-probe.${process.pid}.${i}.dcm`);
      const t = process.hrtime.bigint();
      const fd = openSync(name, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      creates.push(micros(t));
      names.push(name);
      writeSync(fd, body);
      closeSync(fd);
    }
  } finally {
    for (const name of names) rmSync(name, { force: true });
  }
  return round(median(creates), 1);
}

export function storeFolderCosts(folder: string, files = 500, syncs = 200): StoreFolderCosts {
  const dir = path.join(folder, 'fs-probe');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const createUs = fileCreationCost(dir, files);
    const record = Buffer.alloc(1500, 0x42);
    const log = openSync(path.join(dir, 'log'), constants.O_RDWR | constants.O_CREAT, 0o600);
    const waits: number[] = [];
    try {
      writeSync(log, Buffer.alloc(record.length * syncs), 0, record.length * syncs, 0);
      fdatasyncSync(log);
      for (let i = 0; i < syncs; i++) {
        const t = process.hrtime.bigint();
        writeSync(log, record, 0, record.length, i * record.length);
        fdatasyncSync(log);
        waits.push(micros(t));
      }
    } finally {
      closeSync(log);
    }
    return {
      folder,
      create_us: createUs,
      files,
      fdatasync_us: round(median(waits), 1),
      syncs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
