import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { InstanceWriteback } from './instance-writeback.js';

/** Streams `chunks` × `size` bytes to a file through `wb`, ends it as store-receiver.ts does, returns the file. */
async function stream(wb: InstanceWriteback, chunks: number, size: number): Promise<Buffer> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-writeback-'));
  try {
    const file = path.join(dir, 'instance.part');
    const ws = createWriteStream(file);
    await new Promise((resolve) => ws.once('open', resolve));
    for (let i = 0; i < chunks; i++) {
      ws.write(Buffer.alloc(size, i));
      wb.wrote(ws, size);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await wb.end();
    await new Promise((resolve) => ws.end(resolve));
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a streamed instance is synced in the background once per interval written, never after the end', async () => {
  const errors: Error[] = [];
  const wb = new InstanceWriteback(64 * 1024, (err) => errors.push(err));
  const bytes = await stream(wb, 16, 16 * 1024);
  assert.equal(bytes.length, 16 * 16 * 1024, 'every byte written');
  assert.ok(wb.syncs >= 1 && wb.syncs <= 4, `${wb.syncs} syncs for 4 intervals`);
  const after = wb.syncs;
  wb.wrote({ fd: 2 ** 30 } as unknown as Parameters<InstanceWriteback['wrote']>[0], 1024 * 1024);
  assert.equal(wb.syncs, after);
  assert.deepEqual(errors, []);
});

test('0 bytes: no sync of its own', async () => {
  const wb = new InstanceWriteback(0, (err) => assert.fail(err));
  await stream(wb, 8, 64 * 1024);
  assert.equal(wb.syncs, 0);
});

test('a failed sync is reported as the instance write error', async () => {
  const errors: Error[] = [];
  const wb = new InstanceWriteback(1, (err) => errors.push(err));
  // A stream whose descriptor is not a file that can be synced (a closed descriptor number).
  const fake = { fd: 2 ** 30 } as unknown as Parameters<InstanceWriteback['wrote']>[0];
  wb.wrote(fake, 10);
  await wb.end();
  assert.equal(errors.length, 1);
  assert.equal((errors[0] as NodeJS.ErrnoException).code, 'EBADF');
});
