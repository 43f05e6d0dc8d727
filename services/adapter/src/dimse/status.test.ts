import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Status, statusCategory, statusInfo } from './status.js';

const cases: [number, string][] = [
  [0x0000, 'success'],
  [0xff00, 'pending'],
  [0xff01, 'pending'],
  [0xfe00, 'cancel'],
  [0x0001, 'warning'],
  [0x0107, 'warning'],
  [0x0116, 'warning'],
  [0xb000, 'warning'],
  [0xb006, 'warning'],
  [0xb007, 'warning'],
  [0xb123, 'warning'],
  [0x0105, 'failure'],
  [0x0106, 'failure'],
  [0x0110, 'failure'],
  [0x0111, 'failure'],
  [0x0112, 'failure'],
  [0x0117, 'failure'],
  [0x0119, 'failure'],
  [0x0122, 'failure'],
  [0x0210, 'failure'],
  [0x0211, 'failure'],
  [0x0212, 'failure'],
  [0x0213, 'failure'],
  [0xa700, 'failure'],
  [0xa7ff, 'failure'],
  [0xa701, 'failure'],
  [0xa702, 'failure'],
  [0xa801, 'failure'],
  [0xa900, 'failure'],
  [0xa9aa, 'failure'],
  [0xc000, 'failure'],
  [0xc123, 'failure'],
  [0xd000, 'failure'],
];
for (const [code, category] of cases)
  test(`status 0x${code.toString(16)} is ${category}`, () => assert.equal(statusCategory(code), category));

test('names come from the table, unknown codes are named by value', () => {
  assert.equal(statusInfo(Status.MoveDestinationUnknown).name, 'Refused: move destination unknown');
  assert.equal(statusInfo(0xd001).name, 'Unknown status 0xD001');
});
