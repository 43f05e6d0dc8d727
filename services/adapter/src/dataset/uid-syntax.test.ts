import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { insideDir, isUid, nameBelow } from './uid-syntax.js';

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

test("nameBelow: the storage layout's path below the store is what path.relative gives; anything else is left to it", () => {
  for (const [dir, target] of [
    ['/store', '/store/1.2/1.2.3/1.2.3.4.dcm'],
    ['/a/../store', '/a/../store/unknown-study/unknown-series/1.dcm'],
    ['store', 'store/1.2/x.dcm'],
  ] as const) {
    assert.equal(nameBelow(dir, target), path.relative(dir, target), target);
    assert.equal(`${path.resolve(dir)}/${nameBelow(dir, target)}`, path.resolve(target));
  }
  for (const [dir, target] of [
    ['/store', '/store'],
    ['/store', '/store/'],
    ['/store', '/storex/1.dcm'],
    ['/store', '/other/1.dcm'],
    ['/store/', '/store/1.dcm'],
    ['', '1.dcm'],
    ['/store', '/store/../1.dcm'],
    ['/store', '/store/a/./1.dcm'],
    ['/store', '/store//1.dcm'],
    ['/store', '/store/.incoming/filing.log'],
    ['/store', '/store/a/'],
  ] as const)
    assert.equal(nameBelow(dir, target), undefined, `${dir} ${target}`);
});
