import assert from 'node:assert/strict';
import { test } from 'node:test';
import { insideDir, isUid } from './uid-syntax.js';

test('issue 16: UIDs as PS3.5 §9.1 defines them', () => {
  for (const ok of ['1', '1.2', '1.2.840.10008.5.1.4.1.1.7', '2.25.0', '9'.repeat(64)])
    assert.ok(isUid(ok), ok);
  for (const bad of [
    '',
    '.',
    '..',
    '1.',
    '.1',
    '1..2',
    '1/2',
    '../1',
    '1.2 ',
    '1.2\0',
    'a.1',
    '9'.repeat(65),
  ])
    assert.ok(!isUid(bad), JSON.stringify(bad));
  assert.ok(!isUid(undefined));
});

test('insideDir: only paths strictly below the folder', () => {
  assert.ok(insideDir('/s/a/b/store', '/s/a/b/store/1/2/3.dcm'));
  assert.ok(!insideDir('/s/a/b/store', '/s/a/b/store/../../1.dcm'));
  assert.ok(!insideDir('/s/a/b/store', '/s/a/1.dcm'));
  assert.ok(!insideDir('/s/a/b/store', '/s/a/b/store'));
  assert.ok(!insideDir('/s/a/b/store', '/s/a/b/store-other/1.dcm'));
});
