/** What a store holds on disk, as the tests that check it after refusals and crashes see it. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The temporary files of C-STOREs left in `<store>/.incoming` (`*.part`). */
export function temporaryFiles(storeDir: string): string[] {
  try {
    return readdirSync(path.join(storeDir, '.incoming')).filter((n) => n.endsWith('.part'));
  } catch {
    return [];
  }
}

/** Every file under a final name: below the store, outside its dot-folders (`.incoming`, `.archive`). */
export function finalFiles(storeDir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(storeDir, { recursive: true, withFileTypes: true })) {
    const full = path.join(e.parentPath, e.name);
    const rel = path.relative(storeDir, full);
    if (!e.isFile() || rel.split(path.sep).some((s) => s.startsWith('.'))) continue;
    out.push(full);
  }
  return out;
}

/** sha256 of a Part 10 file's data set (after its file meta, whose group length says where it ends). */
export function datasetDigest(file: string): string {
  const bytes = readFileSync(file);
  const start =
    bytes.length >= 144 && bytes.toString('latin1', 128, 132) === 'DICM' ? 144 + bytes.readUInt32LE(140) : 0;
  return createHash('sha256').update(bytes.subarray(start)).digest('hex');
}
