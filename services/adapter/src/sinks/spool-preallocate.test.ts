/**
 * Preallocated segments (`preallocate`, the write-ahead log of AUDIT_DURABILITY=sync): the segments
 * `appendNow` starts are zeros on disk before their records, the zeros after the last record are the end of
 * the log (not a torn record), and a torn or corrupt record is still found and reported.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { Spool, type SpoolCorruption, type SpoolOptions, type SpoolTornTail } from './spool.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dt-spool-prealloc-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

interface Seen {
  spool: Spool;
  torn: SpoolTornTail[];
  corrupt: SpoolCorruption[];
}

async function openSeen(t: TestContext, dir: string, options: SpoolOptions = {}): Promise<Seen> {
  const torn: SpoolTornTail[] = [];
  const corrupt: SpoolCorruption[] = [];
  const spool = await Spool.open(dir, {
    preallocate: true,
    onPreallocateFailed: (err) => {
      throw err;
    },
    ...options,
    onTornTail: (i) => torn.push(i),
    onCorrupt: (i) => corrupt.push(i),
  });
  t.after(() => spool.close());
  return { spool, torn, corrupt };
}

async function payloads(spool: Spool): Promise<string[]> {
  const out: string[] = [];
  for await (const r of spool.replay({ after: 0 })) out.push(r.payload.toString());
  return out;
}

const payloadOf = (i: number): Buffer =>
  Buffer.from(JSON.stringify({ id: `rec-${String(i).padStart(6, '0')}`, pad: 'x'.repeat((i * 37) % 300) }));
const range = (from: number, to: number): string[] =>
  Array.from({ length: to - from }, (_, i) => payloadOf(from + i).toString());

const segmentFiles = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();

test('segments start as zeros of segmentBytes on disk; records roll over them; a restart mid-segment finds the end, not a torn tail', async (t) => {
  const dir = await tempDir(t);
  const segmentBytes = 4096;
  const first = await openSeen(t, dir, { segmentBytes });
  assert.equal((await stat(join(dir, 'spare-segment'))).size, segmentBytes, 'the spare is ready at open');
  for (let i = 0; i < 60; i++) {
    first.spool.appendNow(`k${i % 3}`, payloadOf(i));
    await first.spool.prepared();
  }
  first.spool.syncNow();
  const files = await segmentFiles(dir);
  assert.ok(files.length >= 3, `rolled over ${files.length} segments`);
  assert.equal(first.spool.preallocated, files.length, 'every segment started from a spare');
  for (const f of files) assert.equal((await stat(join(dir, f))).size, segmentBytes, `${f} preallocated`);
  assert.ok(first.spool.bytes < files.length * segmentBytes, 'bytes counts records, not zeros');
  assert.deepEqual(await payloads(first.spool), range(0, 60));
  await first.spool.close();

  const again = await openSeen(t, dir, { segmentBytes });
  assert.deepEqual(again.torn, [], 'zeros after the last record are no torn tail');
  assert.deepEqual(again.corrupt, []);
  assert.equal(again.spool.lastSeq, 60);
  for (const f of files) assert.equal((await stat(join(dir, f))).size, segmentBytes, `${f} not cut`);
  assert.deepEqual(await payloads(again.spool), range(0, 60));
  assert.deepEqual(again.corrupt, [], 'replay reads past no zeros as corrupt');
  assert.equal(again.spool.appendNow('k', payloadOf(60)), 61);
  again.spool.syncNow();
  assert.deepEqual(await payloads(again.spool), range(0, 61));

  // Trim once acknowledged: every segment the watermark covers goes.
  await again.spool.ack(61);
  assert.deepEqual(await segmentFiles(dir), []);
  assert.equal(again.spool.appendNow('k', payloadOf(61)), 62);
  again.spool.syncNow();
  assert.deepEqual(await payloads(again.spool), range(61, 62));
});

test('in a preallocated segment a torn record before the zeros is cut and reported, a corrupt one in the middle skipped and reported', async (t) => {
  const dir = await tempDir(t);
  const segmentBytes = 64 * 1024;
  const first = await openSeen(t, dir, { segmentBytes });
  for (let i = 0; i < 40; i++) first.spool.appendNow('assoc', payloadOf(i));
  first.spool.syncNow();
  const goodEnd = first.spool.bytes;
  await first.spool.close();
  const [name] = await segmentFiles(dir);
  const path = join(dir, name!);
  const buf = await readFile(path);
  assert.equal(buf.length, segmentBytes);
  // Record 7's payload damaged (CRC mismatch), and half a record written after the last one, into the zeros.
  const at = buf.indexOf(Buffer.from('rec-000007'));
  buf[at + 3] = 'X'.charCodeAt(0);
  buf.writeUInt32BE(0xf9c0d75a, goodEnd);
  buf.writeUInt32BE(0x12345678, goodEnd + 4);
  buf.writeUInt32BE(1000, goodEnd + 8);
  buf.writeBigUInt64BE(41n, goodEnd + 12);
  await writeFile(path, buf);

  const again = await openSeen(t, dir, { segmentBytes });
  assert.deepEqual(again.torn, [{ segment: name, offset: goodEnd, bytes: segmentBytes - goodEnd }]);
  assert.equal(again.spool.lastSeq, 40);
  const read = await payloads(again.spool);
  assert.deepEqual(read, [...range(0, 7), ...range(8, 40)]);
  assert.equal(again.corrupt.length, 1, 'the damaged record, once');
  assert.equal(again.corrupt[0]!.reason, 'CRC mismatch');
  assert.equal(again.spool.appendNow('k', payloadOf(40)), 41);
});

test('a segment holding only zeros after its header region (renamed, never written) is no record', async (t) => {
  const dir = await tempDir(t);
  const first = await openSeen(t, dir, { segmentBytes: 4096 });
  for (let i = 0; i < 5; i++) first.spool.appendNow('k', payloadOf(i));
  await first.spool.close();
  // A newer segment of zeros only: the spare renamed, then the node stopped before the first write.
  await writeFile(join(dir, 'spool-000002.seg'), Buffer.alloc(4096));
  const again = await openSeen(t, dir, { segmentBytes: 4096 });
  assert.deepEqual(await segmentFiles(dir), ['spool-000001.seg']);
  assert.deepEqual(await payloads(again.spool), range(0, 5));
  assert.equal(again.spool.appendNow('k', payloadOf(5)), 6);
});

test('no spare can be made: reported, and the segments grow with their writes', async (t) => {
  const dir = await tempDir(t);
  // A directory where the spare would be: it cannot be created.
  await mkdir(join(dir, 'spare-segment'));
  await writeFile(join(dir, 'spare-segment', 'x'), 'x');
  const failed: unknown[] = [];
  const { spool } = await openSeen(t, dir, {
    segmentBytes: 4096,
    onPreallocateFailed: (e) => failed.push(e),
  });
  assert.ok(failed.length > 0, 'the failure is reported');
  for (let i = 0; i < 30; i++) {
    spool.appendNow('k', payloadOf(i));
    await spool.prepared();
  }
  spool.syncNow();
  assert.equal(spool.preallocated, 0);
  let sum = 0;
  for (const f of await segmentFiles(dir)) sum += (await stat(join(dir, f))).size;
  assert.equal(sum, spool.bytes);
  assert.deepEqual(await payloads(spool), range(0, 30));
});

test('SIGKILL mid-segment: every written record is read back, the zeros are no torn tail, and writing goes on', async (t) => {
  const dir = await tempDir(t);
  const script = `
    const { Spool } = await import(${JSON.stringify(new URL('./spool.js', import.meta.url).href)});
    const spool = await Spool.open(${JSON.stringify(dir)}, { preallocate: true, segmentBytes: 65536 });
    for (let i = 0; i < 50; i++) spool.appendNow('k', Buffer.from(${JSON.stringify(payloadOf(0).toString())}.replace('000000', String(i).padStart(6, '0'))));
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  const [name] = await segmentFiles(dir);
  assert.equal((await stat(join(dir, name!))).size, 65536, 'the segment was a preallocated one');
  const { spool, torn, corrupt } = await openSeen(t, dir, { segmentBytes: 65536 });
  assert.deepEqual(torn, []);
  const read = await payloads(spool);
  assert.equal(read.length, 50);
  assert.deepEqual(corrupt, []);
  assert.equal(spool.appendNow('k', payloadOf(50)), 51);
  spool.syncNow();
  assert.equal((await payloads(spool)).length, 51);
});

test('no spare while the file system has less than twice a segment free: the segments grow', async (t) => {
  const dir = await tempDir(t);
  const { bavail, bsize } = await statfs(dir);
  // A segment as large as the free room (a spare needs twice that free): preparing it would take the room
  // the records need.
  const segmentBytes = bavail * bsize;
  const { spool } = await openSeen(t, dir, { segmentBytes });
  await assert.rejects(stat(join(dir, 'spare-segment')), { code: 'ENOENT' });
  spool.appendNow('k', payloadOf(0));
  await spool.prepared();
  spool.syncNow();
  assert.equal(spool.preallocated, 0);
  assert.deepEqual(await payloads(spool), range(0, 1));
});
