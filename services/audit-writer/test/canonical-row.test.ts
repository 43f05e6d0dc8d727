/**
 * canonicalRow writes exactly the bytes of the generic canonical JSON of a row (what verify hashes), for every
 * event of a captured storescu association; writeCanonicalRow writes the same bytes and, beside them, the row's
 * COPY text column by column (checked against copy-text's functions over COPY_COLUMN_ORDER), also for values
 * that need escaping in JSON or COPY; link gives the same hashes whether it writes COPY lines or not;
 * renderNegotiation gives the canonical JSON of a negotiation whatever its key order, and its sha256, also when
 * remembered.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { ByteSink } from '../src/byte-sink.js';
import { canonicalJson } from '../src/canonical-json.js';
import {
  COPY_COLUMN_ORDER,
  canonicalRow,
  renderNegotiation,
  writeCanonicalRow,
} from '../src/canonical-row.js';
import { COPY_NULL, copyJson, copyValue } from '../src/copy-text.js';
import type { EventContent } from '../src/event-row.js';
import { hashedContent, link } from '../src/hash-chain.js';
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

/** A row's COPY text the slow, obvious way: copy-text's functions over COPY_COLUMN_ORDER. */
function expectedCopyLine(c: EventContent, chainId: string, position: number, prev: string, hash: string) {
  const row: Record<string, unknown> = { ...c, chain_id: chainId, chain_position: position };
  const cols = COPY_COLUMN_ORDER.map((col) => {
    if (col === 'params') return copyJson(canonicalJson(c.params));
    if (col === 'negotiation_sha256')
      return c.negotiation === null ? COPY_NULL : `\\\\x${renderNegotiation(c.negotiation).sha256}`;
    if (col === 'prev_hash') return `\\\\x${prev}`;
    if (col === 'row_hash') return `\\\\x${hash}`;
    return copyValue(row[col]);
  });
  return `${cols.join('\t')}\n`;
}

test('writeCanonicalRow: canonicalRow as bytes, and the COPY text of every column', () => {
  const contents = contentsOf(associationRecords('PID-BYTES', undefined, 2));
  // Values JSON and COPY escape, and characters beyond ASCII (a surrogate pair, a lone surrogate).
  contents[3] = {
    ...contents[3]!,
    patient_name: 'Tab\there "quoted" back\\slash\nnewline Ünïcødé 🦷 \ud800',
    calling_ae_title: 'AE\u0001CTRL',
    params: { ...contents[3]!.params, note: 'a\tb\\c"d\re' },
  };
  // A column left undefined (as a hand-built row may have it): out of the hashed JSON, NULL in COPY.
  contents[5] = { ...contents[5]!, parent_span_id: undefined as unknown as null };
  contents.forEach((c, i) => {
    const jsonb = {
      params: canonicalJson(c.params),
      negotiation: c.negotiation === null ? null : renderNegotiation(c.negotiation).text,
      negotiationSha256: c.negotiation === null ? null : renderNegotiation(c.negotiation).sha256,
    };
    const hashed = new ByteSink(16);
    const copy = new ByteSink(16);
    writeCanonicalRow(c, 'chain/0/events_2026_11', i + 1, jsonb, hashed, copy);
    // Compared as UTF-8 bytes, as they are hashed and sent (a lone surrogate becomes U+FFFD either way).
    const text = canonicalRow(c, 'chain/0/events_2026_11', i + 1, jsonb);
    assert.ok(hashed.view().equals(Buffer.from(text)), `hashed bytes of row ${i}`);
    const line = expectedCopyLine(c, 'chain/0/events_2026_11', i + 1, 'aa', 'bb');
    const withoutHashes = line.slice(0, line.length - '\\\\xaa\t\\\\xbb\n'.length);
    assert.ok(copy.view().equals(Buffer.from(withoutHashes)), `COPY bytes of row ${i}`);
  });
});

test('link: the same rows and hashes with COPY lines as without, and the lines are the rows', () => {
  const contents = contentsOf(associationRecords('PID-LINK', undefined, 3));
  const copy = new ByteSink(64);
  const withCopy = link('chain/1/events_2026_11', { position: 7, hash: 'ab'.repeat(32) }, contents, copy);
  // link completes its contents in place: the second link gets its own copies.
  const plain = link(
    'chain/1/events_2026_11',
    { position: 7, hash: 'ab'.repeat(32) },
    contents.map((c) => ({ ...c })),
  );
  assert.deepEqual(withCopy.rows, plain.rows);
  assert.deepEqual(withCopy.head, plain.head);
  assert.ok(withCopy.rendered.every((r) => r.hashed === null));
  const expected = withCopy.rows
    .map((r, i) => expectedCopyLine(contents[i]!, r.chain_id, r.chain_position, r.prev_hash, r.row_hash))
    .join('');
  assert.ok(copy.view().equals(Buffer.from(expected)), 'COPY lines');
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
