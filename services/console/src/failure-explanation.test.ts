import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AssociationOutcome, explainAssociation } from './failure-explanation.js';

const base: AssociationOutcome = {
  outcome: 'released',
  calling_ae_title: 'STORESCU',
  called_ae_title: 'DICOMTRAIL',
  cause_result_name: null,
  cause_source_name: null,
  cause_reason_name: null,
  cause_initiator: null,
  cause_detail: null,
  accepted_contexts: [],
  rejected_contexts: [],
  failed_operation_count: 0,
};

test('given a reject for the called AE title, then it names the title', () => {
  const words = explainAssociation({
    ...base,
    outcome: 'rejected',
    called_ae_title: 'WRONG_AE',
    cause_result_name: 'rejected-permanent',
    cause_source_name: 'service-user',
    cause_reason_name: 'called-ae-title-not-recognized',
    cause_initiator: 'local',
  });
  assert.deepEqual(words, ['Rejected by this node: the called AE title "WRONG_AE" is not this node\'s.']);
});

test('given a transient local-limit reject, then it says retrying may succeed', () => {
  const [w] = explainAssociation({
    ...base,
    outcome: 'rejected',
    cause_result_name: 'rejected-transient',
    cause_reason_name: 'local-limit-exceeded',
    cause_initiator: 'local',
  });
  assert.match(w!, /local limit was exceeded.*transient: retrying later may succeed/);
});

test('given a class proposed and refused on every context, then it names the SOP class', () => {
  const words = explainAssociation({
    ...base,
    accepted_contexts: [{ id: 1, abstract_syntax: '1.2.840.10008.1.1', result_name: 'acceptance' }],
    rejected_contexts: [
      { id: 3, abstract_syntax: '1.2.840.10008.5.1.4.1.1.2', result_name: 'abstract-syntax-not-supported' },
      { id: 5, abstract_syntax: '1.2.840.10008.1.1', result_name: 'transfer-syntaxes-not-supported' },
    ],
  });
  assert.deepEqual(words, [
    'No presentation context for CT Image Storage was accepted (abstract syntax not supported).',
  ]);
});

test('given a provider abort with a detail, then the reason and the detail are in words', () => {
  const [w] = explainAssociation({
    ...base,
    outcome: 'aborted',
    cause_source_name: 'service-provider',
    cause_reason_name: 'unexpected-pdu-parameter',
    cause_initiator: 'dul',
    cause_detail: 'invalid PDU while associated (Evt19 -> AA-8)',
  });
  assert.equal(
    w,
    "Aborted by this node's upper layer: a PDU carried a parameter not allowed there (invalid PDU while associated (Evt19 -> AA-8)).",
  );
});

test('a released association with no failures needs no explanation', () => {
  assert.deepEqual(explainAssociation(base), []);
});
