import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sequenceDiagram } from './sequence-diagram.js';

test('one arrow per step, in order, pointing from its sender; labels escaped', () => {
  const svg = sequenceDiagram('STORESCU @ 127.0.0.1', 'DICOMTRAIL', [
    { from: 'requestor', label: 'A-ASSOCIATE-RQ (3 contexts)' },
    { from: 'acceptor', label: 'A-ASSOCIATE-RJ <called AE>', tone: 'fail' },
  ]);
  const arrows = [...svg.matchAll(/<line x1="(\d+)" x2="(\d+)" y1="(\d+)"[^>]*marker-end/g)];
  assert.equal(arrows.length, 2);
  assert.ok(Number(arrows[0]![1]) < Number(arrows[0]![2]), 'request goes right');
  assert.ok(Number(arrows[1]![1]) > Number(arrows[1]![2]), 'reply goes left');
  assert.ok(Number(arrows[0]![3]) < Number(arrows[1]![3]));
  assert.match(svg, /A-ASSOCIATE-RJ &lt;called AE&gt;/);
  assert.match(svg, /stroke="#c62828"/);
});
