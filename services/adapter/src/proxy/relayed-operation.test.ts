import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvent } from '@dicomtrail/schemas';
import type { DimseMessage } from '../association/dimse-service.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { COMMAND_FIELDS } from '../dimse/command-field.js';
import { relayedEventType, relayedOperation } from './relayed-operation.js';

const TS = '1.2.840.10008.1.2.1';
const MOVE = '1.2.840.10008.5.1.4.1.2.2.2';
const MPPS = '1.2.840.10008.3.1.2.3.3';
const ctx = (abstractSyntax: string) => ({
  id: 3,
  abstractSyntax,
  transferSyntax: TS,
  requestorScu: true,
  requestorScp: false,
});

/** Valid as the envelope of its type (the schema is the contract the consumers hold us to). */
function assertValid(type: string, params: Record<string, unknown>): void {
  const r = parseEvent({
    schema: 'dicomtrail.event/1',
    id: '01939b0e-0000-7000-8000-000000000000',
    type,
    kind: 'intervention',
    timestamp: '2026-11-25T10:00:00.000000Z',
    seq: 7,
    association: {
      id: '6f1c2f8e-6c8a-4b0e-9a55-5b1f3f0c1a2b',
      role: 'acceptor',
      calling_ae_title: 'MOD',
      called_ae_title: 'PACS',
      local: { address: '127.0.0.1', port: 11112 },
      remote: { address: '127.0.0.1', port: 50000 },
    },
    node: { id: 'n', hostname: 'h', version: '0', mode: 'proxy' },
    params,
    trace: { trace_id: '0af7651916cd43dd8448eb211c80319c', span_id: 'b7ad6b7169203331' },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors.slice(0, 3)));
}

test('C-MOVE: request fields, identifier, the final counts and failed UIDs of the peer, cancel from FE00', () => {
  const identifier = encodeDataset(
    { '00080052': { vr: 'CS', Value: ['STUDY'] }, '0020000D': { vr: 'UI', Value: ['1.2.3'] } },
    TS,
  );
  const request: DimseMessage = {
    context: ctx(MOVE),
    command: {
      commandField: COMMAND_FIELDS['C-MOVE-RQ'],
      messageId: 9,
      affectedSopClassUid: MOVE,
      priority: 0,
      moveDestination: 'STORESCP',
    },
    dataset: identifier,
  };
  const final: DimseMessage = {
    context: ctx(MOVE),
    command: {
      commandField: COMMAND_FIELDS['C-MOVE-RSP'],
      messageIdBeingRespondedTo: 9,
      status: 0xfe00,
      numberOfRemainingSuboperations: 3,
      numberOfCompletedSuboperations: 1,
      numberOfFailedSuboperations: 1,
      numberOfWarningSuboperations: 0,
    },
    dataset: encodeDataset({ '00080058': { vr: 'UI', Value: ['1.2.3.4.5'] } }, TS),
  };
  assert.equal(relayedEventType(request), 'EVT_C_MOVE');
  const op = relayedOperation(request, final, 3, 1024)!;
  assert.equal(op.type, 'EVT_C_MOVE');
  assert.deepEqual(op.params, {
    context: { id: 3, abstract_syntax: MOVE, transfer_syntax: TS },
    message_id: 9,
    affected_sop_class_uid: MOVE,
    priority: 0,
    identifier: { '00080052': { vr: 'CS', Value: ['STUDY'] }, '0020000D': { vr: 'UI', Value: ['1.2.3'] } },
    move_destination: 'STORESCP',
    status: 0xfe00,
    status_category: 'cancel',
    responses: 3,
    cancelled: true,
    number_of_remaining_suboperations: 3,
    number_of_completed_suboperations: 1,
    number_of_failed_suboperations: 1,
    number_of_warning_suboperations: 0,
    failed_sop_instance_uids: ['1.2.3.4.5'],
  });
  assertValid(op.type, op.params);
});

test('N-CREATE: the instance UID the peer assigned in its response; the attribute list; a failure', () => {
  const request: DimseMessage = {
    context: ctx(MPPS),
    command: { commandField: COMMAND_FIELDS['N-CREATE-RQ'], messageId: 2, affectedSopClassUid: MPPS },
    dataset: encodeDataset({ '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } }, TS),
  };
  const final: DimseMessage = {
    context: ctx(MPPS),
    command: {
      commandField: COMMAND_FIELDS['N-CREATE-RSP'],
      messageIdBeingRespondedTo: 2,
      affectedSopInstanceUid: '1.2.9',
      status: 0x0111,
      errorComment: 'duplicate',
    },
  };
  const op = relayedOperation(request, final, 1, 1024)!;
  assert.equal(op.type, 'EVT_N_CREATE');
  const params: Record<string, unknown> = op.params;
  assert.equal(params['affected_sop_instance_uid'], '1.2.9');
  assert.deepEqual(params['attribute_list'], { '00400252': { vr: 'CS', Value: ['IN PROGRESS'] } });
  assert.deepEqual([op.params['status_category'], op.params['error_comment']], ['failure', 'duplicate']);
  assertValid(op.type, op.params);
});

test('C-CANCEL has no intervention event of its own', () => {
  const cancel: DimseMessage = {
    context: ctx(MOVE),
    command: { commandField: COMMAND_FIELDS['C-CANCEL-RQ'], messageIdBeingRespondedTo: 9 },
  };
  assert.equal(relayedEventType(cancel), undefined);
  assert.equal(relayedOperation(cancel, cancel, 1, 1024), undefined);
});
