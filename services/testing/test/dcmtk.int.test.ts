import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runDcmtk } from '../src/index.js';

test('dcmtk is installed and runnable (echoscu, storescu, findscu, getscu, movescu, storescp, dcmqrscp)', async () => {
  for (const tool of ['echoscu', 'storescu', 'findscu', 'getscu', 'movescu', 'storescp', 'dcmqrscp']) {
    const r = await runDcmtk(tool, ['--version'], { timeoutMs: 10_000 });
    assert.equal(r.code, 0, `${tool} --version exits 0`);
    assert.ok(r.stdout.includes(`$dcmtk: ${tool} v3.`), `${tool} prints its DCMTK version`);
  }
});

test('echoscu against an address where nothing listens fails (the peer really runs)', async () => {
  const r = await runDcmtk('echoscu', ['-to', '2', '127.0.0.1', '1'], { timeoutMs: 10_000 });
  assert.notEqual(r.code, 0);
});
