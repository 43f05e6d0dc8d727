import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EventRow } from '../event-row.js';
import { AnchoredChainCheck } from './anchored-chain.js';

const row = (position: number, hash: string) =>
  ({ id: `e${position}`, chain_position: position, row_hash: hash }) as unknown as EventRow;
const feed = (check: AnchoredChainCheck, hashes: string[]) => {
  for (const [i, h] of hashes.entries()) {
    const broken = check.next(row(i + 1, h));
    if (broken) return broken;
  }
  return check.end(hashes.length);
};

test('given heads signed at 2 and 4, when the rows have those hashes, then nothing is reported', () => {
  const check = new AnchoredChainCheck('c', [
    { position: 4, hash: 'd', anchor: '#2' },
    { position: 2, hash: 'b', anchor: '#1' },
  ]);
  assert.equal(feed(check, ['a', 'b', 'c', 'd', 'e']), undefined);
});

test('given heads signed at 2 and 4, when row 3 on was rewritten, then position 4 is named with the last good one', () => {
  const check = new AnchoredChainCheck('c', [
    { position: 2, hash: 'b', anchor: '#1' },
    { position: 4, hash: 'd', anchor: '#2' },
  ]);
  const broken = feed(check, ['a', 'b', 'x', 'y']);
  assert.equal(broken?.problem, 'anchor_mismatch');
  assert.equal(broken?.position, 4);
  assert.equal(broken?.event_id, 'e4');
  assert.match(broken?.expected ?? '', /^hash d, signed by #2$/);
  assert.match(broken?.found ?? '', /^hash y: the chain was rewritten after position 2/);
});

test('given a head signed at 5, when the chain ends at 3, then the missing tail is named', () => {
  const check = new AnchoredChainCheck('c', [{ position: 5, hash: 'e', anchor: '#1' }]);
  const broken = feed(check, ['a', 'b', 'c']);
  assert.equal(broken?.problem, 'anchored_rows_missing');
  assert.equal(broken?.position, 4);
  assert.match(broken?.found ?? '', /ends at position 3/);
});
