import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeCommandSet } from './command-set.js';
import { DimseError } from './dimse-error.js';
import type { Pdv } from './pdv.js';
import { DatasetCollector, DimseAssembler, MAX_COMMAND_LENGTH } from './reassembler.js';

const withData = encodeCommandSet({ commandField: 0x0001, messageId: 1, commandDataSetType: 0x0001 });
const noData = encodeCommandSet({ commandField: 0x0030, messageId: 1, commandDataSetType: 0x0101 });
const cmd = (contextId: number, data: Buffer, isLast = true): Pdv => ({
  contextId,
  isCommand: true,
  isLast,
  data,
});
const ds = (contextId: number, isLast = true): Pdv => ({
  contextId,
  isCommand: false,
  isLast,
  data: Buffer.alloc(4),
});
const half = (b: Buffer, first: boolean) => (first ? b.subarray(0, 10) : b.subarray(10));

const violations: [string, Pdv[], string][] = [
  ['data set before any command', [ds(1)], 'DT_ERR_DIMSE_DATASET_WITHOUT_COMMAND'],
  [
    'data set before the last command fragment',
    [cmd(1, half(withData, true), false), ds(1)],
    'DT_ERR_DIMSE_DATASET_BEFORE_COMMAND_END',
  ],
  [
    'command fragments interleaved from two contexts',
    [cmd(1, half(withData, true), false), cmd(3, half(withData, false))],
    'DT_ERR_DIMSE_COMMAND_INTERLEAVED',
  ],
  ['data set on another context', [cmd(1, withData), ds(3)], 'DT_ERR_DIMSE_DATASET_CONTEXT_MISMATCH'],
  [
    'new command while a data set is expected',
    [cmd(1, withData), cmd(1, noData)],
    'DT_ERR_DIMSE_COMMAND_WHILE_DATASET_EXPECTED',
  ],
  [
    'new command in the middle of a data set',
    [cmd(1, withData), ds(1, false), cmd(1, noData)],
    'DT_ERR_DIMSE_COMMAND_WHILE_DATASET_EXPECTED',
  ],
  ['data set after a command without one', [cmd(1, noData), ds(1)], 'DT_ERR_DIMSE_UNEXPECTED_DATASET'],
  ['malformed command set', [cmd(1, withData.subarray(0, 20))], 'DT_ERR_DIMSE_COMMAND_TRUNCATED'],
];

for (const [name, pdvs, code] of violations) {
  test(`assembler protocol violation: ${name} → ${code}`, () => {
    const a = new DimseAssembler();
    const last = pdvs.at(-1)!;
    for (const pdv of pdvs.slice(0, -1)) a.push(pdv);
    assert.throws(
      () => a.push(last),
      (err: unknown) => err instanceof DimseError && err.code === code,
    );
  });
}

test('command length is bounded', () => {
  const a = new DimseAssembler({ maxCommandLength: 16 });
  a.push(cmd(1, half(withData, true), false));
  assert.throws(() => a.push(cmd(1, half(withData, false), false)), {
    code: 'DT_ERR_DIMSE_COMMAND_TOO_LONG',
  });
});

test('a 256 KB command set in 7-byte PDVs (DIMSE fuzzer, seed 20261207, cases 455, 544, 1925) is refused at the first PDV past 64 KiB', () => {
  // Each PDV used to copy the list of those before it: 37,000 fragments, 700 million copies, the node silent
  // for over 30 s. Now fragments are appended in place and the command set is bounded.
  const big = Buffer.alloc(256 * 1024, 0x41);
  const a = new DimseAssembler();
  let pushed = 0;
  let refused: DimseError | undefined;
  for (let off = 0; off < big.length && !refused; off += 7, pushed++) {
    try {
      a.push(cmd(1, big.subarray(off, off + 7), off + 7 >= big.length));
    } catch (err) {
      refused = err as DimseError;
    }
  }
  assert.equal(refused?.code, 'DT_ERR_DIMSE_COMMAND_TOO_LONG');
  assert.equal(pushed, Math.ceil((MAX_COMMAND_LENGTH + 1) / 7));
  assert.ok((refused.context['length'] as number) <= MAX_COMMAND_LENGTH + 7);
});

test('a command set in 1-byte PDVs assembles to its bytes', () => {
  const a = new DimseAssembler();
  let out: ReturnType<DimseAssembler['push']> = [];
  for (let i = 0; i < withData.length; i++)
    out = a.push(cmd(1, withData.subarray(i, i + 1), i === withData.length - 1));
  const [command] = out;
  assert.ok(command?.kind === 'command');
  assert.deepEqual(command.commandBytes, withData);
  assert.equal(command.command.commandField, 0x0001);
});

test('empty command PDVs are bounded too (they add no length but cost memory)', () => {
  const a = new DimseAssembler({ maxCommandFragments: 100 });
  for (let i = 0; i < 100; i++) a.push(cmd(1, Buffer.alloc(0), false));
  assert.throws(() => a.push(cmd(1, Buffer.alloc(0), false)), {
    code: 'DT_ERR_DIMSE_COMMAND_TOO_FRAGMENTED',
  });
});

test('data set chunks stream out one per PDV, not accumulated', () => {
  const a = new DimseAssembler();
  assert.equal(a.push(cmd(1, half(withData, true), false)).length, 0);
  const [command] = a.push(cmd(1, half(withData, false)));
  assert.ok(command?.kind === 'command' && command.hasDataset);
  const chunk = Buffer.from('abcd');
  const [out] = a.push({ contextId: 1, isCommand: false, isLast: false, data: chunk });
  assert.ok(out?.kind === 'dataset-chunk' && out.chunk === chunk && !out.last);
  assert.equal(a.idle, false);
  const [end] = a.push(ds(1));
  assert.ok(end?.kind === 'dataset-chunk' && end.last);
  assert.equal(a.idle, true);
  // the next message may use another context
  const [next] = a.push(cmd(7, noData));
  assert.ok(next?.kind === 'command' && next.contextId === 7);
});

test('DatasetCollector bounds the accumulated size', () => {
  const c = new DatasetCollector(6);
  assert.equal(c.push(Buffer.alloc(4), false), undefined);
  assert.throws(() => c.push(Buffer.alloc(4), true), { code: 'DT_ERR_DIMSE_DATASET_TOO_LONG' });
});
