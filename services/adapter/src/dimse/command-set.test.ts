import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildCEchoRq, buildCEchoRsp, parseCEchoRq } from './c-echo.js';
import { buildCStoreRq, buildCStoreRsp, parseCStoreRq } from './c-store.js';
import { COMMAND_FIELDS, commandFieldName } from './command-field.js';
import { type CommandSet, decodeCommandSet, encodeCommandSet, hasDataset } from './command-set.js';
import { DimseError } from './dimse-error.js';

const VECTORS = new URL('../../../test/vectors/dimse/', import.meta.url);
const hex = (name: string) => Buffer.from(readFileSync(new URL(name, VECTORS), 'utf8').trim(), 'hex');
const json = (name: string) => JSON.parse(readFileSync(new URL(name, VECTORS), 'utf8')) as CommandSet;

for (const name of ['c-echo-rq', 'c-store-rq']) {
  test(`${name} (DCMTK): decode equals the reviewed JSON, encode reproduces the bytes`, () => {
    const bytes = hex(`${name}.hex`);
    const cs = decodeCommandSet(bytes);
    assert.deepEqual({ ...cs }, json(`${name}.json`));
    assert.deepEqual(encodeCommandSet(cs), bytes);
    assert.deepEqual(encodeCommandSet(json(`${name}.json`)), bytes);
  });
}

test('builders produce DCMTK-identical bytes', () => {
  assert.deepEqual(encodeCommandSet(buildCEchoRq({ messageId: 1 })), hex('c-echo-rq.hex'));
  const store = buildCStoreRq({
    messageId: 1,
    affectedSopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    affectedSopInstanceUid: '1.2.826.0.1.3680043.10.1337.2.1',
  });
  assert.deepEqual(encodeCommandSet(store), hex('c-store-rq.hex'));
});

test('parsers check the command field and mandatory elements', () => {
  const rq = parseCStoreRq(decodeCommandSet(hex('c-store-rq.hex')));
  assert.equal(rq.affectedSopInstanceUid, '1.2.826.0.1.3680043.10.1337.2.1');
  assert.equal(hasDataset(rq), true);
  assert.throws(() => parseCEchoRq(rq), { code: 'DT_ERR_DIMSE_COMMAND_UNEXPECTED' });
  const { priority: _p, ...noPriority } = rq;
  assert.throws(() => parseCStoreRq(noPriority), { code: 'DT_ERR_DIMSE_COMMAND_MISSING_ELEMENT' });
});

test('responses echo the request', () => {
  const rq = decodeCommandSet(hex('c-store-rq.hex'));
  const rsp = decodeCommandSet(encodeCommandSet(buildCStoreRsp(rq, 0xb000, { errorComment: 'coerced' })));
  assert.equal(commandFieldName(rsp.commandField), 'C-STORE-RSP');
  assert.equal(rsp.messageIdBeingRespondedTo, 1);
  assert.equal(rsp.status, 0xb000);
  assert.equal(rsp.affectedSopInstanceUid, rq.affectedSopInstanceUid);
  assert.equal(rsp.errorComment, 'coerced');
  assert.equal(hasDataset(rsp), false);
  const echo = decodeCommandSet(encodeCommandSet(buildCEchoRsp(decodeCommandSet(hex('c-echo-rq.hex')))));
  assert.equal(echo.commandField, COMMAND_FIELDS['C-ECHO-RSP']);
  assert.equal(echo.status, 0);
});

test('every field round-trips, odd strings are padded, unknown elements are kept in order', () => {
  const cs: CommandSet = {
    commandField: COMMAND_FIELDS['N-GET-RSP'],
    affectedSopClassUid: '1.2.3',
    requestedSopClassUid: '1.2.34',
    messageId: 7,
    messageIdBeingRespondedTo: 6,
    moveDestination: 'DEST',
    priority: 2,
    commandDataSetType: 0x0101,
    status: 0x0107,
    offendingElement: [0x00100010, 0x7fe00010],
    errorComment: 'odd',
    errorId: 3,
    affectedSopInstanceUid: '1.2.3.4',
    requestedSopInstanceUid: '1.2.3.45',
    eventTypeId: 1,
    attributeIdentifierList: [0x00080018],
    actionTypeId: 2,
    numberOfRemainingSuboperations: 4,
    numberOfCompletedSuboperations: 5,
    numberOfFailedSuboperations: 6,
    numberOfWarningSuboperations: 7,
    moveOriginatorApplicationEntityTitle: 'ORIG',
    moveOriginatorMessageId: 9,
    unknown: new Map([[0x0001, Buffer.from([1, 0, 0, 0])]]),
  };
  const bytes = encodeCommandSet(cs);
  assert.equal(bytes.length % 2, 0);
  assert.deepEqual(decodeCommandSet(bytes), cs);
  // (0000,0001) sits between (0000,0000) and (0000,0002)
  assert.equal(bytes.readUInt16LE(14), 0x0001);
  // 'odd' is space padded (LO), '1.2.3' NUL padded (UI)
  assert.ok(bytes.includes(Buffer.from('odd ')));
  assert.ok(bytes.includes(Buffer.from('1.2.3\0')));
});

const good = () => hex('c-echo-rq.hex');
const malformed: [string, () => Buffer, string][] = [
  ['truncated header', () => good().subarray(0, good().length - 3), 'DT_ERR_DIMSE_COMMAND_TRUNCATED'],
  [
    'value past end',
    () => {
      const b = good();
      b.writeUInt32LE(200, b.length - 6);
      return b;
    },
    'DT_ERR_DIMSE_COMMAND_TRUNCATED',
  ],
  [
    'group length wrong',
    () => {
      const b = good();
      b.writeUInt32LE(b.readUInt32LE(8) + 2, 8);
      return b;
    },
    'DT_ERR_DIMSE_COMMAND_GROUP_LENGTH',
  ],
  ['group length missing', () => good().subarray(12), 'DT_ERR_DIMSE_COMMAND_GROUP_LENGTH_MISSING'],
  [
    'element of group 0008',
    () => Buffer.concat([good(), Buffer.from([8, 0, 0x18, 0, 0, 0, 0, 0])]),
    'DT_ERR_DIMSE_COMMAND_GROUP',
  ],
  [
    'descending tags',
    () => {
      const cs = encodeCommandSet({ commandField: 0x30, messageId: 1 });
      return Buffer.concat([cs, cs.subarray(12, 22)]);
    },
    'DT_ERR_DIMSE_COMMAND_ORDER',
  ],
  [
    'US of length 4',
    () => {
      const b = Buffer.alloc(24);
      b.writeUInt32LE(4, 4);
      b.writeUInt32LE(12, 8);
      b.writeUInt16LE(0x0100, 14);
      b.writeUInt32LE(4, 16);
      return b;
    },
    'DT_ERR_DIMSE_COMMAND_VALUE_LENGTH',
  ],
  [
    'no command field',
    () => encodeCommandSet({ messageId: 1 } as CommandSet),
    'DT_ERR_DIMSE_COMMAND_FIELD_MISSING',
  ],
];
for (const [name, bytes, code] of malformed) {
  test(`malformed command set: ${name} → ${code}`, () => {
    assert.throws(
      () => decodeCommandSet(bytes()),
      (err: unknown) => err instanceof DimseError && err.code === code,
    );
  });
}
