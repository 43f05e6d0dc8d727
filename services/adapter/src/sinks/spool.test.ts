import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { DicomtrailError } from '@dicomtrail/runtime';
import { Spool, type SpoolCorruption, SpoolFullError, type SpoolOptions, type SpoolRecord } from './spool.js';

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'dt-spool-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openSpool(t: TestContext, dir: string, options: SpoolOptions = {}): Promise<Spool> {
  const spool = await Spool.open(dir, options);
  t.after(() => spool.close());
  return spool;
}

async function all(spool: Spool, after?: number): Promise<SpoolRecord[]> {
  const out: SpoolRecord[] = [];
  for await (const r of spool.replay(after === undefined ? {} : { after })) out.push(r);
  return out;
}

/** A recognisable payload of 60..~460 bytes: JSON with the index, padded. */
const payloadOf = (i: number): Buffer =>
  Buffer.from(JSON.stringify({ id: `rec-${String(i).padStart(6, '0')}`, pad: 'x'.repeat((i * 37) % 400) }));

const segmentFiles = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((n) => n.endsWith('.seg')).sort();

async function diskBytes(dir: string): Promise<number> {
  let sum = 0;
  for (const name of await segmentFiles(dir)) sum += (await stat(join(dir, name))).size;
  return sum;
}

test('round trip: 10,000 records across several segments, in order, intact, also after reopen', async (t) => {
  const dir = await tempDir(t);
  const options = { segmentBytes: 256 * 1024 };
  const spool = await Spool.open(dir, options);
  const seqs = await Promise.all(
    Array.from({ length: 10_000 }, (_, i) => spool.append(`assoc-${i % 7}`, payloadOf(i))),
  );
  assert.deepEqual(
    seqs,
    Array.from({ length: 10_000 }, (_, i) => i + 1),
  );
  assert.equal(spool.appended, 10_000);
  assert.equal(spool.records, 10_000);
  const files = await segmentFiles(dir);
  assert.ok(files.length >= 5, `expected several segments, got ${files.length}`);
  assert.equal(spool.segments, files.length);
  assert.match(files[0]!, /^spool-000001\.seg$/);
  for (const name of files) {
    const size = (await stat(join(dir, name))).size;
    assert.ok(size <= options.segmentBytes, `${name} is ${size} bytes`);
  }
  assert.equal(spool.bytes, await diskBytes(dir));

  const check = (records: SpoolRecord[]) => {
    assert.equal(records.length, 10_000);
    for (const [i, r] of records.entries()) {
      assert.equal(r.seq, i + 1);
      assert.equal(r.key, `assoc-${i % 7}`);
      assert.ok(r.payload.equals(payloadOf(i)), `payload of seq ${r.seq}`);
    }
  };
  check(await all(spool));
  assert.equal(spool.replayed, 10_000);
  await spool.close();

  const again = await openSpool(t, dir, options);
  assert.equal(again.lastSeq, 10_000);
  check(await all(again));
  assert.equal(await again.append('assoc-x', Buffer.from('{}')), 10_001);
});

test('ack + reopen replays only the rest; the watermark and seq survive', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir, { segmentBytes: 32 * 1024 });
  for (let i = 0; i < 1000; i++) void spool.append('a', payloadOf(i));
  await spool.append('a', payloadOf(1000)); // seq 1001; resolves after all the others
  await spool.ack(600);
  assert.equal(spool.ackedSeq, 600);
  assert.equal(spool.acked, 600);
  assert.equal(spool.records, 401);
  assert.deepEqual(
    (await all(spool)).map((r) => r.seq),
    Array.from({ length: 401 }, (_, i) => 601 + i),
  );
  await spool.close();

  const ack = await readFile(join(dir, 'ack'));
  assert.equal(ack.toString('latin1', 0, 4), 'DTSA');
  assert.equal(ack.readBigUInt64BE(8), 600n);

  const reopened = await openSpool(t, dir, { segmentBytes: 32 * 1024 });
  assert.equal(reopened.ackedSeq, 600);
  const rest = await all(reopened);
  assert.equal(rest[0]?.seq, 601);
  assert.equal(rest.length, 401);
  assert.ok(rest[0]!.payload.equals(payloadOf(600)));
  assert.deepEqual(
    (await all(reopened, 990)).map((r) => r.seq),
    Array.from({ length: 11 }, (_, i) => 991 + i),
  );
  assert.equal(await reopened.append('a', Buffer.from('{}')), 1002);
  await assert.rejects(reopened.ack(5000), { code: 'DT_ERR_SPOOL_ACK_RANGE' });
});

test('fully acknowledged segments are deleted; seq continues after everything was deleted', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir, { segmentBytes: 4096 });
  for (let i = 0; i < 300; i++) await spool.append('k', payloadOf(i % 50));
  const files = await segmentFiles(dir);
  assert.ok(files.length >= 6, `segments: ${files.length}`);
  // The first seq of the 4th segment, from its header: acknowledging the seq before it covers 1..3.
  const fourth = await readFile(join(dir, files[3]!));
  const firstOfFourth = Number(fourth.readBigUInt64BE(8));
  await spool.ack(firstOfFourth - 2);
  assert.deepEqual(await segmentFiles(dir), files.slice(2), 'segment 3 still holds an unacknowledged record');
  await spool.ack(firstOfFourth - 1);
  assert.deepEqual(await segmentFiles(dir), files.slice(3));
  assert.equal(spool.segments, files.length - 3);
  assert.equal(spool.bytes, await diskBytes(dir));
  assert.equal((await all(spool))[0]?.seq, firstOfFourth);

  await spool.ack(300);
  assert.deepEqual(await segmentFiles(dir), [], 'the active segment goes too once fully acknowledged');
  assert.equal(spool.bytes, 0);
  assert.equal(spool.records, 0);
  assert.deepEqual(await all(spool), []);
  assert.equal(await spool.append('k', Buffer.from('{"after":1}')), 301);
  await spool.ack(301);
  await spool.close();

  const reopened = await openSpool(t, dir, { segmentBytes: 4096 });
  assert.equal(reopened.segments, 0);
  assert.equal(await reopened.append('k', Buffer.from('{}')), 302, 'seq carries on from the ack file');
});

test('a torn tail is truncated on open; nothing before it is lost', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir);
  for (let i = 0; i < 100; i++) await spool.append('a', payloadOf(i));
  await spool.close();
  const [name] = await segmentFiles(dir);
  const path = join(dir, name!);
  const goodSize = (await stat(path)).size;
  // Half a record: marker, a CRC, a length promising 1000 bytes, a seq, and a few bytes of key.
  const torn = Buffer.alloc(30);
  torn.writeUInt32BE(0xf9c0d75a, 0);
  torn.writeUInt32BE(0x12345678, 4);
  torn.writeUInt32BE(1000, 8);
  torn.writeBigUInt64BE(101n, 12);
  torn.writeUInt16BE(1, 20);
  await appendFile(path, torn);

  const tails: unknown[] = [];
  const corrupt: unknown[] = [];
  const reopened = await openSpool(t, dir, {
    onTornTail: (i) => tails.push(i),
    onCorrupt: (i) => corrupt.push(i),
  });
  assert.deepEqual(tails, [{ segment: name, offset: goodSize, bytes: 30 }]);
  assert.equal((await stat(path)).size, goodSize);
  const records = await all(reopened);
  assert.deepEqual(
    records.map((r) => r.seq),
    Array.from({ length: 100 }, (_, i) => i + 1),
  );
  assert.deepEqual(corrupt, []);
  assert.equal(await reopened.append('a', payloadOf(100)), 101);
  assert.equal((await all(reopened)).length, 101);
});

test('a crash right after creating a segment: the empty segment goes, an unreadable ack replays all', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir, { segmentBytes: 2048 });
  for (let i = 0; i < 50; i++) await spool.append('a', payloadOf(i));
  await spool.ack(10);
  await spool.close();
  const files = await segmentFiles(dir);
  const lastNum = Number(/\d+/.exec(files.at(-1)!)![0]);
  const next = `spool-${String(lastNum + 1).padStart(6, '0')}.seg`;
  await writeFile(join(dir, next), Buffer.from('DTSG\0\x01\0')); // a header cut short
  await writeFile(join(dir, 'ack'), Buffer.from('not an ack file at all'));
  await writeFile(join(dir, 'ack.tmp'), Buffer.alloc(3));

  const tails: unknown[] = [];
  const corrupt: SpoolCorruption[] = [];
  const reopened = await openSpool(t, dir, {
    segmentBytes: 2048,
    onTornTail: (i) => tails.push(i),
    onCorrupt: (i) => corrupt.push(i),
  });
  assert.deepEqual(tails, [{ segment: next, offset: 0, bytes: 7 }]);
  assert.deepEqual(await segmentFiles(dir), files);
  assert.deepEqual(
    corrupt.map((c) => [c.segment, c.offset]),
    [['ack', 0]],
  );
  assert.equal(reopened.ackedSeq, 0);
  assert.equal(reopened.records, 51 - Number((await readFile(join(dir, files[0]!))).readBigUInt64BE(8)));
  // Without a readable watermark everything still on disk is replayed, acknowledged or not.
  const oldest = Number((await readFile(join(dir, files[0]!))).readBigUInt64BE(8));
  assert.ok(oldest > 1 && oldest <= 10, `segment 1 was deleted by the ack; ${files[0]} starts at ${oldest}`);
  assert.deepEqual(
    (await all(reopened)).map((r) => r.seq),
    Array.from({ length: 51 - oldest }, (_, i) => oldest + i),
  );
  assert.equal(await reopened.append('a', payloadOf(50)), 51);
  const after = await segmentFiles(dir);
  assert.deepEqual(after.slice(0, -1), files);
  assert.ok(after.at(-1)! > next, `a new segment, numbered after the removed one: ${after.at(-1)}`);
});

test('SIGKILL mid-append: every append that resolved is replayed after reopening', async (t) => {
  const dir = await tempDir(t);
  const spoolUrl = new URL('./spool.js', import.meta.url).href;
  const child = `
    const { Spool } = await import(process.argv[1]);
    const spool = await Spool.open(process.argv[2], { segmentBytes: 128 * 1024, commitWindowMs: 1 });
    let n = 0;
    const pump = async () => {
      for (;;) {
        const i = n++;
        const payload = Buffer.from(JSON.stringify({ i, pad: 'y'.repeat((i * 131) % 3000) }));
        const seq = await spool.append('assoc-' + (i % 5), payload);
        process.stdout.write(seq + ' ' + i + '\\n');
      }
    };
    for (let k = 0; k < 64; k++) pump();
  `;
  const proc = spawn(process.execPath, ['--input-type=module', '-e', child, spoolUrl, dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    proc.on('exit', (_code, signal) => resolve(signal)),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('child printed too few seqs')), 8000);
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').length > 4000) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  proc.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');

  const printed = out
    .split('\n')
    .slice(0, -1) // the last line may be cut short
    .map((line) => line.split(' ').map(Number) as [number, number]);
  assert.ok(printed.length >= 4000);
  const spool = await openSpool(t, dir, { segmentBytes: 128 * 1024 });
  const replayed = new Map<number, Buffer>();
  let previous = 0;
  for await (const r of spool.replay()) {
    assert.equal(r.seq, previous + 1, 'no gap, no reordering');
    previous = r.seq;
    replayed.set(r.seq, r.payload);
  }
  for (const [seq, i] of printed) {
    const payload = replayed.get(seq);
    assert.ok(payload !== undefined, `resolved seq ${seq} was lost`);
    assert.equal(JSON.parse(payload.toString()).i, i, `seq ${seq} holds record ${i}`);
  }
  assert.equal(spool.corruptRecords, 0);
  assert.equal(await spool.append('after', Buffer.from('{}')), previous + 1);
});

test('corrupt records and a corrupt segment header are reported and skipped; the rest is replayed', async (t) => {
  const dir = await tempDir(t);
  const options = { segmentBytes: 16 * 1024 };
  const spool = await Spool.open(dir, options);
  await Promise.all(Array.from({ length: 1000 }, (_, i) => spool.append('assoc', payloadOf(i))));
  await spool.close();
  const files = await segmentFiles(dir);
  assert.ok(files.length >= 5);

  /** Finds record i: its segment, the offset of its record header, the offset of its payload. */
  const locate = async (i: number) => {
    const needle = Buffer.from(`rec-${String(i).padStart(6, '0')}`);
    for (const name of files) {
      const buf = await readFile(join(dir, name));
      const at = buf.indexOf(needle);
      if (at >= 0) return { name, buf, payloadAt: at - 7, recordAt: at - 7 - 'assoc'.length - 22 };
    }
    throw new Error(`record ${i} not found`);
  };
  const damaged: Array<{ segment: string; offset: number }> = [];
  const damage = async (
    i: number,
    how: (buf: Buffer, r: { payloadAt: number; recordAt: number }) => void,
  ) => {
    const r = await locate(i);
    how(r.buf, r);
    await writeFile(join(dir, r.name), r.buf);
    damaged.push({ segment: r.name, offset: r.recordAt });
  };
  // Segment 2: a flipped payload byte (CRC mismatch).
  await damage(300, (buf, r) => {
    buf[r.payloadAt + 30]! ^= 0x5a;
  });
  // Another segment: an impossible length (resync on the next marker).
  await damage(520, (buf, r) => buf.writeUInt32BE(0xfffffff0, r.recordAt + 8));
  // The newest segment, in the middle: not a torn tail, so it must not be truncated away.
  await damage(997, (buf, r) => {
    buf[r.recordAt]! ^= 0xff;
  });
  // The first segment's header.
  const first = await readFile(join(dir, files[0]!));
  first[1]! ^= 0xff;
  await writeFile(join(dir, files[0]!), first);

  const reports: SpoolCorruption[] = [];
  const reopened = await openSpool(t, dir, {
    ...options,
    onCorrupt: (info) => {
      reports.push(info);
      throw new Error('a failing observer must not break the replay');
    },
    onTornTail: () => assert.fail('no torn tail here'),
  });
  const ids = (await all(reopened)).map((r) => JSON.parse(r.payload.toString()).id);
  const expected = Array.from({ length: 1000 }, (_, i) => i)
    .filter((i) => ![300, 520, 997].includes(i))
    .map((i) => `rec-${String(i).padStart(6, '0')}`);
  assert.deepEqual(ids, expected);
  assert.deepEqual(
    reports.map((r) => ({ segment: r.segment, offset: r.offset })),
    [{ segment: files[0]!, offset: 0 }, ...damaged.sort((a, b) => a.segment.localeCompare(b.segment))],
  );
  assert.match(reports[1]!.reason, /CRC/);
  assert.match(reports[2]!.reason, /length/);
  assert.match(reports[3]!.reason, /marker/);
  assert.equal(reopened.corruptRecords, 4);
  await all(reopened);
  assert.equal(reopened.corruptRecords, 4, 'each spot is reported once');
  assert.equal(reopened.lastSeq, 1000);
});

test('full: append rejects with SpoolFullError; isFull() from the high-water mark; room again after ack', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { maxBytes: 8192, segmentBytes: 2048 });
  assert.equal(spool.highWaterBytes, 7372);
  const payload = Buffer.alloc(100, 0x61);
  let fullBeforeRejection = false;
  let error: unknown;
  for (let i = 0; i < 1000 && error === undefined; i++) {
    if (spool.isFull()) fullBeforeRejection = true;
    await spool.append('k', payload).catch((err: unknown) => {
      error = err;
    });
  }
  assert.ok(error instanceof SpoolFullError);
  assert.ok(error instanceof DicomtrailError);
  assert.equal(error.code, 'DT_ERR_SPOOL_FULL');
  assert.ok(fullBeforeRejection, 'isFull() turns true before appends start failing');
  assert.ok(spool.isFull());
  assert.ok(spool.bytes <= 8192);
  assert.equal(spool.bytes, await diskBytes(dir));
  const last = spool.lastSeq;
  await spool.ack(last);
  assert.equal(spool.isFull(), false);
  assert.equal(await spool.append('k', payload), last + 1, 'the rejected append took no seq');
});

test("inline commits (written and fdatasync'd on the calling thread): the same records, in order, durable", async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { inlineCommits: true, commitWindowMs: 0, segmentBytes: 4096 });
  const seqs = await Promise.all(
    Array.from({ length: 200 }, (_, i) => spool.append(`k${i}`, Buffer.from(`payload ${i}`))),
  );
  assert.deepEqual(
    seqs,
    Array.from({ length: 200 }, (_, i) => i + 1),
  );
  assert.ok(spool.commits < 200, `group commits (${spool.commits} for 200 records)`);
  await spool.close();
  const again = await openSpool(t, dir);
  const back = await all(again);
  assert.deepEqual(
    back.map((r) => `${r.key}=${r.payload.toString()}`),
    Array.from({ length: 200 }, (_, i) => `k${i}=payload ${i}`),
  );
});

test('writeError: set by a failed append, cleared by the next one that succeeds', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { maxBytes: 4096, segmentBytes: 2048 });
  assert.equal(spool.writeError, undefined);
  await assert.rejects(spool.append('k', Buffer.alloc(5000)), SpoolFullError);
  const failed: unknown = spool.writeError;
  assert.ok(failed instanceof SpoolFullError);
  await spool.append('k', Buffer.alloc(10));
  assert.equal(spool.writeError, undefined);
});

test('an ack carries a checkpoint: persisted with the watermark, read back on reopen, replaced by the next', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir);
  for (let i = 0; i < 3; i++) await spool.append('k', Buffer.from(`r${i}`));
  await spool.ack(2, Buffer.from('{"open":["a"]}'));
  assert.equal(spool.checkpoint?.toString(), '{"open":["a"]}');
  await spool.close();
  const again = await openSpool(t, dir);
  assert.equal(again.ackedSeq, 2);
  assert.equal(again.checkpoint?.toString(), '{"open":["a"]}');
  await again.ack(3);
  assert.equal(again.checkpoint, undefined, 'an ack without one leaves none');
  assert.equal((await readFile(join(dir, 'ack'))).length, 20, 'the plain 20-byte ack file');
});

test('concurrent appends: call order is seq order, each record whole, one fsync for many records', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { segmentBytes: 512 * 1024 });
  const payloads = Array.from({ length: 5000 }, (_, i) => Buffer.alloc(1 + ((i * 7919) % 2000), i % 251));
  const results = await Promise.all(payloads.map((p, i) => spool.append(`assoc-${i % 13}`, p)));
  assert.deepEqual(
    results,
    payloads.map((_, i) => i + 1),
  );
  assert.ok(spool.commits <= 100, `group commit: ${spool.commits} commits for 5000 records`);
  const records = await all(spool);
  assert.equal(records.length, 5000);
  for (const [i, r] of records.entries()) {
    assert.equal(r.key, `assoc-${i % 13}`);
    assert.ok(r.payload.equals(payloads[i]!), `record ${i} intact`);
  }
});

test('replay picks up records appended while it runs, and ends when caught up', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { segmentBytes: 4096 });
  for (let i = 0; i < 100; i++) void spool.append('a', payloadOf(i));
  await spool.append('a', payloadOf(100));
  const seen: number[] = [];
  for await (const r of spool.replay()) {
    seen.push(r.seq);
    if (r.seq === 50)
      await Promise.all(Array.from({ length: 100 }, (_, i) => spool.append('a', payloadOf(101 + i))));
    if (r.seq === 150) await spool.ack(120);
  }
  assert.deepEqual(
    seen,
    Array.from({ length: 201 }, (_, i) => i + 1),
  );
});

test('close commits what is queued; lock; closed spool rejects', async (t) => {
  const dir = await tempDir(t);
  const spool = await Spool.open(dir);
  await assert.rejects(Spool.open(dir), { code: 'DT_ERR_SPOOL_LOCKED' });
  const pending = Array.from({ length: 10 }, (_, i) => spool.append('a', payloadOf(i)));
  await spool.close();
  assert.deepEqual(await Promise.all(pending), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  await assert.rejects(spool.append('a', Buffer.from('{}')), { code: 'DT_ERR_SPOOL_CLOSED' });
  // A lock left by a process that is gone is taken over.
  await writeFile(join(dir, 'lock'), '999999999');
  const reopened = await openSpool(t, dir);
  assert.equal((await all(reopened)).length, 10);
  assert.equal(await readFile(join(dir, 'lock'), 'utf8'), String(process.pid));
});

test('options are validated', async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(Spool.open(dir, { segmentBytes: 0 }), { code: 'DT_ERR_SPOOL_OPTIONS' });
  await assert.rejects(Spool.open(dir, { commitWindowMs: -1 }), { code: 'DT_ERR_SPOOL_OPTIONS' });
  const spool = await Spool.open(dir);
  await spool.close();
});

test('appendNow: a seq at once, readable before any sync, durable after syncNow, across segment rolls', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { segmentBytes: 2048 });
  const seqs = Array.from({ length: 60 }, (_, i) => spool.appendNow(`k${i % 3}`, payloadOf(i)));
  assert.deepEqual(
    seqs,
    Array.from({ length: 60 }, (_, i) => i + 1),
  );
  assert.equal(spool.lastSeq, 60);
  assert.ok((await segmentFiles(dir)).length > 1, 'rolled to new segments');
  // Rolled segments are made durable on the roll; the active one waits for a sync.
  assert.ok(spool.syncedSeq > 0 && spool.syncedSeq < 60, `synced ${spool.syncedSeq}`);
  const read = await all(spool);
  assert.deepEqual(
    read.map((r) => r.seq),
    seqs,
  );
  const commits = spool.commits;
  assert.equal(spool.syncNow(), 60);
  assert.equal(spool.syncedSeq, 60);
  assert.equal(spool.syncNow(), 60, 'nothing new: no sync');
  assert.equal(spool.commits, commits + 1);
  spool.appendNow('k', payloadOf(60));
  assert.equal(await spool.syncSoon(), 61);
  assert.equal(spool.bytes, await diskBytes(dir));
  await spool.close();
  const again = await openSpool(t, dir);
  assert.deepEqual(
    (await all(again)).map((r) => r.payload.toString()),
    Array.from({ length: 61 }, (_, i) => payloadOf(i).toString()),
  );
  assert.equal(again.syncedSeq, 61);
});

test('appendNow: written records survive the death of the process without a sync', async (t) => {
  const dir = await tempDir(t);
  const script = `
    const { Spool } = await import(${JSON.stringify(new URL('./spool.js', import.meta.url).href)});
    const spool = await Spool.open(${JSON.stringify(dir)});
    for (let i = 0; i < 50; i++) spool.appendNow('k', Buffer.from('r' + i));
    process.kill(process.pid, 'SIGKILL');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  const spool = await openSpool(t, dir);
  assert.deepEqual(
    (await all(spool)).map((r) => r.payload.toString()),
    Array.from({ length: 50 }, (_, i) => `r${i}`),
  );
});

test('appendNow: a record past maxBytes throws SpoolFullError, takes no seq, and the next one fits', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { maxBytes: 4096, segmentBytes: 2048 });
  spool.appendNow('k', Buffer.alloc(10));
  assert.throws(() => spool.appendNow('k', Buffer.alloc(5000)), SpoolFullError);
  assert.ok(spool.writeError instanceof SpoolFullError);
  assert.equal(spool.appendNow('k', Buffer.alloc(10)), 2);
  assert.equal(spool.writeError, undefined);
});

test('appendNow is refused while a group commit is pending', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { commitWindowMs: 50 });
  const pending = spool.append('k', Buffer.from('a'));
  assert.throws(
    () => spool.appendNow('k', Buffer.from('b')),
    (e: unknown) => e instanceof DicomtrailError && e.code === 'DT_ERR_SPOOL_MODE',
  );
  assert.equal(await pending, 1);
  await new Promise((r) => setImmediate(r)); // the commit loop ends after settling its records
  assert.equal(spool.appendNow('k', Buffer.from('b')), 2);
});

test('appendAllNow: text payloads are written as their UTF-8 bytes, and `placed` shows each one in the write', async (t) => {
  const dir = await tempDir(t);
  const spool = await openSpool(t, dir, { segmentBytes: 2048 });
  // Non-ASCII text (2-, 3- and 4-byte UTF-8) beside bytes, over several segments.
  const inputs = Array.from({ length: 40 }, (_, i) => ({
    key: `k-é${i % 3}`,
    payload:
      i % 4 === 3
        ? payloadOf(i)
        : JSON.stringify({
            i,
            name: `Müller^Zoë 山田 ${'😀'.repeat(i % 5)}`,
            pad: 'x'.repeat((i * 37) % 300),
          }),
  }));
  const placed: { index: number; bytes: Buffer }[] = [];
  const r = spool.appendAllNow(inputs, (index, buf, start, end) =>
    placed.push({ index, bytes: Buffer.from(buf.subarray(start, end)) }),
  );
  assert.deepEqual(r, { first: 1, written: 40 });
  assert.ok((await segmentFiles(dir)).length > 1, 'rolled to new segments');
  const expected = inputs.map((x) => Buffer.from(x.payload));
  assert.deepEqual(
    placed.map((p) => p.index),
    inputs.map((_, i) => i),
  );
  assert.deepEqual(
    placed.map((p) => p.bytes),
    expected,
  );
  spool.syncNow();
  await spool.close();
  const again = await openSpool(t, dir);
  const read = await all(again);
  assert.deepEqual(
    read.map((x) => x.payload),
    expected,
  );
  assert.deepEqual(
    read.map((x) => x.key),
    inputs.map((x) => x.key),
  );
});
