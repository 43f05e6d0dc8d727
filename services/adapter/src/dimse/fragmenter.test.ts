import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodePDataTf } from '../pdu/p-data-tf.js';
import { buildCStoreRq } from './c-store.js';
import { encodeCommandSet } from './command-set.js';
import {
  DatasetFragmenter,
  fragmentMessage,
  fragmentMessageStream,
  maxFragmentLength,
  refragment,
} from './fragmenter.js';
import { PDV_OVERHEAD, type Pdv } from './pdv.js';
import { type AssemblerOutput, DatasetCollector, DimseAssembler } from './reassembler.js';

const command = encodeCommandSet(
  buildCStoreRq({
    messageId: 3,
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    affectedSopInstanceUid: '1.2.3.4',
  }),
);
const bytes = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7 + 3) & 0xff));
const pduLength = (pdvs: Pdv[]) => pdvs.reduce((sum, p) => sum + PDV_OVERHEAD + p.data.length, 0);

function reassemble(pdus: Pdv[][]): { outputs: AssemblerOutput[]; dataset: Buffer | undefined } {
  const assembler = new DimseAssembler();
  const collector = new DatasetCollector();
  const outputs: AssemblerOutput[] = [];
  let dataset: Buffer | undefined;
  for (const pdv of pdus.flat())
    for (const out of assembler.push(pdv)) {
      outputs.push(out);
      if (out.kind === 'dataset-chunk') dataset = collector.push(out.chunk, out.last) ?? dataset;
    }
  assert.ok(assembler.idle);
  return { outputs, dataset };
}

function check(pdus: Pdv[][], max: number, dataset: Buffer): void {
  for (const pdu of pdus) if (max !== 0) assert.ok(pduLength(pdu) <= max, `PDU ${pduLength(pdu)} > ${max}`);
  const flat = pdus.flat();
  const commandPdvs = flat.filter((p) => p.isCommand);
  assert.deepEqual(
    flat.map((p) => p.isCommand),
    [...commandPdvs.map(() => true), ...flat.slice(commandPdvs.length).map(() => false)],
  );
  assert.deepEqual(
    flat.filter((p) => p.isLast).map((p) => p.isCommand),
    [true, false],
  );
  const { outputs, dataset: got } = reassemble(pdus);
  const first = outputs[0];
  assert.ok(first?.kind === 'command' && first.hasDataset && first.command.messageId === 3);
  assert.deepEqual(first.commandBytes, command);
  assert.deepEqual(got, dataset);
}

for (const max of [0, 16384, 4096, 64]) {
  const f = max === 0 ? 1000 : max - PDV_OVERHEAD;
  const sizes = [0, 1, f - 1, f, f + 1, 2 * f - 1, 2 * f, 2 * f + 1, 3 * f + 5];
  test(`fragmentMessage / DimseAssembler round trip at max PDU ${max}, every boundary size`, () => {
    for (const size of sizes) {
      const dataset = bytes(size);
      const pdus = fragmentMessage(1, command, dataset, max);
      check(pdus, max, dataset);
      if (max === 0) assert.equal(pdus.length, 2);
      else assert.equal(pdus.length, Math.ceil(command.length / f) + Math.max(1, Math.ceil(size / f)));
      for (const pdv of pdus.flat())
        if (!pdv.isCommand && pdv.data.length > 0) assert.equal(pdv.data.buffer, dataset.buffer);
    }
  });
  test(`streaming fragmenter at max PDU ${max} equals the one-shot fragmenter for any chunking`, () => {
    for (const size of sizes)
      for (const chunk of [1, 7, f - 1, f, f + 1, 3 * f]) {
        const dataset = bytes(size);
        const chunks: Buffer[] = [];
        for (let o = 0; o < size; o += chunk) chunks.push(dataset.subarray(o, o + chunk));
        const streamed = [...fragmentMessageStream(1, command, chunks, max)];
        check(streamed, max, dataset);
        const oneShot = fragmentMessage(1, command, dataset, max);
        assert.deepEqual(streamed, oneShot, `size ${size} chunk ${chunk}`);
      }
  });
}

test('a command without data set is one command message', () => {
  const echo = encodeCommandSet({ commandField: 0x30, messageId: 1, commandDataSetType: 0x0101 });
  const pdus = fragmentMessage(5, echo, undefined, 64);
  const { outputs } = reassemble(pdus);
  assert.equal(outputs.length, 1);
  assert.ok(outputs[0]?.kind === 'command' && !outputs[0].hasDataset && outputs[0].contextId === 5);
});

test('maximum PDU lengths that cannot carry one byte are refused', () => {
  for (const max of [1, 6, -1, 0.5, 2 ** 32])
    assert.throws(() => maxFragmentLength(max), { code: 'DT_ERR_DIMSE_MAX_PDU_LENGTH' });
  assert.equal(maxFragmentLength(7), 1);
});

test('the streaming fragmenter refuses use after end()', () => {
  const f = new DatasetFragmenter(1, 64);
  f.end();
  assert.throws(() => f.push(Buffer.alloc(1)), { code: 'DT_ERR_DIMSE_FRAGMENTER_ENDED' });
  assert.throws(() => f.end(), { code: 'DT_ERR_DIMSE_FRAGMENTER_ENDED' });
});

test('refragment: a received fragment that fits the peer passes as it is, the same bytes, no copy', () => {
  const data = Buffer.from('0102030405060708090a', 'hex');
  const pdus = refragment(5, data, false, 16);
  assert.equal(pdus.length, 1);
  assert.equal(pdus[0]![0]!.data, data, 'not copied');
  assert.equal(encodePDataTf(pdus[0]!).toString('hex'), '0400000000100000000c0500' + '0102030405060708090a');
});

test('refragment: a fragment larger than the peer takes is cut to its size; only the true last piece is last', () => {
  const data = Buffer.from('0102030405060708090a', 'hex');
  const hex = (last: boolean) => refragment(5, data, last, 10).map((p) => encodePDataTf(p).toString('hex'));
  // PDU: type 04, reserved, length; PDV: item length, context 05, control (bit 1: last), 4 bytes at most.
  assert.deepEqual(hex(true), [
    '04000000000a00000006050001020304',
    '04000000000a00000006050005060708',
    '0400000000080000000405' + '02090a',
  ]);
  assert.deepEqual(hex(false), [
    '04000000000a00000006050001020304',
    '04000000000a00000006050005060708',
    '0400000000080000000405' + '00090a',
  ]);
  // An empty last fragment (a data set's end marker) passes as one empty last PDV.
  assert.deepEqual(
    refragment(5, Buffer.alloc(0), true, 10).map((p) => encodePDataTf(p).toString('hex')),
    ['040000000006000000020502'],
  );
});
