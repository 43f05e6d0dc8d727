import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCCancelRq, parseCCancelRq } from './c-cancel.js';
import { buildCFindRq, buildCFindRsp, parseCFindRq, parseCFindRsp } from './c-find.js';
import { buildCGetRq, buildCGetRsp, parseCGetRq, parseCGetRsp } from './c-get.js';
import { buildCMoveRq, buildCMoveRsp, parseCMoveRq, parseCMoveRsp } from './c-move.js';
import { type CommandSet, decodeCommandSet, encodeCommandSet, hasDataset } from './command-set.js';
import { fragmentMessageStreamAsync } from './fragmenter.js';
import { buildNActionRq, buildNActionRsp, parseNActionRq, parseNActionRsp } from './n-action.js';
import { buildNCreateRq, buildNCreateRsp, parseNCreateRq, parseNCreateRsp } from './n-create.js';
import { buildNDeleteRq, buildNDeleteRsp, parseNDeleteRq, parseNDeleteRsp } from './n-delete.js';
import {
  buildNEventReportRq,
  buildNEventReportRsp,
  parseNEventReportRq,
  parseNEventReportRsp,
} from './n-event-report.js';
import { buildNGetRq, buildNGetRsp, parseNGetRq, parseNGetRsp } from './n-get.js';
import { buildNSetRq, buildNSetRsp, parseNSetRq, parseNSetRsp } from './n-set.js';

const wire = (cs: CommandSet) => decodeCommandSet(encodeCommandSet(cs));
const QR = '1.2.840.10008.5.1.4.1.2.2.1';
const MPPS = '1.2.840.10008.3.1.2.3.3';

test('C-FIND / C-GET / C-MOVE / C-CANCEL build, encode, decode and parse', () => {
  const find = parseCFindRq(wire(buildCFindRq({ messageId: 2, affectedSopClassUid: QR })));
  assert.ok(hasDataset(find));
  const pending = parseCFindRsp(wire(buildCFindRsp(find, 0xff00)));
  assert.ok(hasDataset(pending) && pending.messageIdBeingRespondedTo === 2);
  assert.ok(!hasDataset(parseCFindRsp(wire(buildCFindRsp(find, 0x0000)))));
  const get = parseCGetRq(wire(buildCGetRq({ messageId: 3, affectedSopClassUid: QR })));
  const getRsp = parseCGetRsp(
    wire(buildCGetRsp(get, 0xff00, { remaining: 2, completed: 1, failed: 0, warning: 0 })),
  );
  assert.equal(getRsp.numberOfRemainingSuboperations, 2);
  const move = parseCMoveRq(
    wire(buildCMoveRq({ messageId: 4, affectedSopClassUid: QR, moveDestination: 'DEST' })),
  );
  assert.equal(move.moveDestination, 'DEST');
  const moveRsp = parseCMoveRsp(wire(buildCMoveRsp(move, 0xa801)));
  assert.equal(moveRsp.status, 0xa801);
  assert.equal(
    parseCCancelRq(wire(buildCCancelRq({ messageIdBeingRespondedTo: 4 }))).messageIdBeingRespondedTo,
    4,
  );
});

test('N-services answer a Requested SOP class/instance with the Affected one', () => {
  const ids = { requestedSopClassUid: MPPS, requestedSopInstanceUid: '1.2.3' };
  const nget = parseNGetRq(
    wire(buildNGetRq({ messageId: 1, ...ids, attributeIdentifierList: [0x00100010] })),
  );
  assert.deepEqual(nget.attributeIdentifierList, [0x00100010]);
  const ngetRsp = parseNGetRsp(wire(buildNGetRsp(nget, 0)));
  assert.equal(ngetRsp.affectedSopInstanceUid, '1.2.3');
  assert.ok(hasDataset(ngetRsp));
  const nset = parseNSetRq(wire(buildNSetRq({ messageId: 2, ...ids })));
  assert.ok(hasDataset(nset));
  assert.equal(parseNSetRsp(wire(buildNSetRsp(nset, 0))).affectedSopClassUid, MPPS);
  const action = parseNActionRq(wire(buildNActionRq({ messageId: 3, ...ids, actionTypeId: 1 })));
  assert.equal(parseNActionRsp(wire(buildNActionRsp(action, 0))).actionTypeId, 1);
  const create = parseNCreateRq(wire(buildNCreateRq({ messageId: 4, affectedSopClassUid: MPPS })));
  const createRsp = parseNCreateRsp(wire(buildNCreateRsp(create, 0, { affectedSopInstanceUid: '9.8' })));
  assert.equal(createRsp.affectedSopInstanceUid, '9.8');
  const del = parseNDeleteRq(wire(buildNDeleteRq({ messageId: 5, ...ids })));
  assert.ok(!hasDataset(del));
  assert.equal(parseNDeleteRsp(wire(buildNDeleteRsp(del, 0x0112))).status, 0x0112);
  const report = parseNEventReportRq(
    wire(
      buildNEventReportRq({
        messageId: 6,
        affectedSopClassUid: '1.2.840.10008.1.20.1',
        affectedSopInstanceUid: '1.2.840.10008.1.20.1.1',
        eventTypeId: 2,
      }),
    ),
  );
  assert.equal(parseNEventReportRsp(wire(buildNEventReportRsp(report, 0))).eventTypeId, 2);
});

test('async streaming fragmenter', async () => {
  async function* chunks() {
    yield Buffer.alloc(100, 1);
    yield Buffer.alloc(50, 2);
  }
  const pdus: number[] = [];
  for await (const pdu of fragmentMessageStreamAsync(1, encodeCommandSet({ commandField: 1 }), chunks(), 64))
    for (const pdv of pdu) if (!pdv.isCommand) pdus.push(pdv.data.length);
  assert.deepEqual(pdus, [58, 58, 34]);
});
