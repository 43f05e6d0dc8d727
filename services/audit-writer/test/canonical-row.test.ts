/**
 * canonicalRow writes exactly the bytes of the generic canonical JSON of a row (what verify hashes), for every
 * event of a captured storescu association; renderNegotiation gives the canonical JSON of a negotiation
 * whatever its key order, and its sha256, also when remembered.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { canonicalJson } from '../src/canonical-json.js';
import { canonicalRow, renderNegotiation } from '../src/canonical-row.js';
import { hashedContent } from '../src/hash-chain.js';
import { contentsOf } from './support/direct-write.js';
import { associationRecords } from './support/synthetic.js';

test('canonicalRow = hashedContent for every event of an association', () => {
  const contents = contentsOf(associationRecords('PID-CANON', undefined, 2));
  contents.forEach((c, i) => {
    const jsonb = {
      params: canonicalJson(c.params),
      negotiation: c.negotiation === null ? null : renderNegotiation(c.negotiation).text,
    };
    const fast = canonicalRow(c, 'chain/0/events_2026_11', i + 1, jsonb);
    assert.equal(fast, hashedContent({ ...c, chain_id: 'chain/0/events_2026_11', chain_position: i + 1 }));
  });
});

test('renderNegotiation: canonical whatever the key order, keyed by its sha256, the same when remembered', () => {
  const a = { max_pdu: { requestor: 16384, acceptor: 0 }, application_context_name: '1.2.840.10008.3.1.1.1' };
  const b = { application_context_name: '1.2.840.10008.3.1.1.1', max_pdu: { acceptor: 0, requestor: 16384 } };
  const text = canonicalJson(a);
  const expected = { text, sha256: createHash('sha256').update(text).digest('hex') };
  assert.deepEqual(renderNegotiation(a), expected);
  assert.deepEqual(renderNegotiation(b), expected);
  assert.deepEqual(renderNegotiation(a), expected);
});
