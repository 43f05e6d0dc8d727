/**
 * Appends text to a file durably: opened for append (created 0600), written, fsync'd, closed, kept 0600. What the
 * NDJSON destination and the FHIR dead letters write with: a line counts once it is on the disk.
 */
import { chmod, open } from 'node:fs/promises';

export async function appendDurably(file: string, text: string): Promise<void> {
  const fh = await open(file, 'a', 0o600);
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(file, 0o600);
}
