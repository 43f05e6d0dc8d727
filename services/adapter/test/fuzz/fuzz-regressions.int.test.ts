/**
 * The cases the DIMSE fuzzer found, replayed over real associations to a real adapter process (the CLI, as the
 * fuzzer runs it), each with what the peer must get now and what the trail must say:
 * - seed 20261207, cases 455, 544, 1925: a 256 KB command set in 7-byte PDVs stopped the node answering for over
 *   30 s. Now: an A-ABORT at the first PDV past 64 KiB, EVT_INVALID_PDU and EVT_ABORTED naming
 *   DT_ERR_DIMSE_COMMAND_TOO_LONG, and a fresh association's C-ECHO answered.
 * - seed 1, cases 335, 2654, 38646 (C-FIND identifiers, reported as crashes) and the C-STOREs in flight beside
 *   them (331, 338, 2650, 2663, 38644, 38913): each of those C-STOREs' data set headers lies about a length, and
 *   the header decode for the event read the lie as a value of up to 4 GB and hashed it, 2-6 s of CPU with the
 *   node's one thread blocked; a few in a row at load 20 stopped every association past the fuzzer's 30 s
 *   liveness check, blamed on whichever case was waiting. Now: every case answered, and no event describes a
 *   value longer than the data set that carried it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fuzzCase } from '../../bench/fuzz/dimse-cases.js';
import { FuzzPeer } from '../../bench/fuzz/fuzz-peer.js';
import { answersEcho, type RunningAdapter, startFuzzAdapter } from '../../bench/fuzz/fuzz-run.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-fuzz-regressions-'));
const eventsFile = path.join(dir, 'events.jsonl');
let adapter: RunningAdapter;

interface Envelope {
  type: string;
  association?: { id?: string };
  params: Record<string, unknown>;
}

function events(): Envelope[] {
  return readFileSync(eventsFile, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Envelope);
}

/** Every BulkData length anywhere in a value. */
function bulkLengths(v: unknown, out: number[] = []): number[] {
  if (Array.isArray(v)) for (const x of v) bulkLengths(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === 'BulkData' && typeof (x as { length?: unknown }).length === 'number')
        out.push((x as { length: number }).length);
      else bulkLengths(x, out);
    }
  }
  return out;
}

before(async () => {
  adapter = await startFuzzAdapter({}, eventsFile);
});
after(async () => {
  await adapter.stop();
  rmSync(dir, { recursive: true, force: true });
});

for (const index of [455, 544, 1925]) {
  test(`seed 20261207 case ${index}: a 256 KB command set in 7-byte PDVs is aborted, saying why, and the node goes on`, async () => {
    const c = fuzzCase(20261207, index);
    assert.equal(c.pdv, 'tiny-fragments');
    assert.ok(c.command.length > 256 * 1024);
    const peer = await FuzzPeer.open(adapter.port, 30_000);
    assert.ok(typeof peer !== 'string', String(peer));
    const outcome = await peer.run(c, 30_000);
    peer.close();
    assert.equal(outcome.kind, 'aborted', JSON.stringify(outcome));
    assert.ok(await answersEcho(adapter.port, 30_000), 'a fresh association is served');
    const invalid = events().filter(
      (e) => e.type === 'EVT_INVALID_PDU' && e.params['code'] === 'DT_ERR_DIMSE_COMMAND_TOO_LONG',
    );
    assert.ok(invalid.length > 0, 'EVT_INVALID_PDU names the code');
    const id = invalid.at(-1)!.association?.id;
    const aborted = events().find((e) => e.type === 'EVT_ABORTED' && e.association?.id === id);
    assert.match(JSON.stringify(aborted?.params), /DT_ERR_DIMSE_COMMAND_TOO_LONG/);
  });
}

test('seed 1: the C-FIND cases reported as crashes and the lying C-STORE headers beside them are all answered, and no event describes a value longer than its data set', async () => {
  const cases = [331, 335, 338, 2650, 2654, 2663, 38644, 38646, 38913];
  let peer: FuzzPeer | string | undefined;
  for (const index of cases) {
    const c = fuzzCase(1, index);
    if (typeof peer !== 'object' || !peer.alive) peer = await FuzzPeer.open(adapter.port, 30_000);
    assert.ok(typeof peer !== 'string', String(peer));
    const outcome = await peer.run(c, 30_000);
    assert.ok(
      outcome.kind === 'answered' || outcome.kind === 'aborted',
      `case ${index} (${c.service}: ${c.mutations.join('; ')}): ${JSON.stringify(outcome)}`,
    );
  }
  if (typeof peer === 'object') await peer.release();
  const longest = Math.max(...cases.map((i) => fuzzCase(1, i).dataset?.length ?? 0));
  for (const e of events()) {
    for (const n of bulkLengths(e.params))
      assert.ok(n <= longest, `${e.type} describes a value of ${n} bytes, more than any data set sent`);
  }
  const finds = events().filter((e) => e.type === 'EVT_C_FIND');
  assert.ok(finds.length >= 1, 'the C-FIND that decoded is in the trail');
});
