import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSupportedSchema, SCHEMA_ID, SCHEMA_MAJOR, schemaMajor } from './version.js';

test('schemaMajor', () => {
  assert.equal(SCHEMA_ID, 'dicomtrail.event/1');
  assert.equal(schemaMajor(SCHEMA_ID), SCHEMA_MAJOR);
  assert.equal(schemaMajor('dicomtrail.event/1.4'), 1);
  assert.equal(schemaMajor('dicomtrail.event/2'), 2);
  assert.equal(schemaMajor('dicomtrail.event/01'), undefined);
  assert.equal(schemaMajor('dicomtrail.event'), undefined);
  assert.equal(schemaMajor(1), undefined);
});

test('a consumer rejects unknown majors', () => {
  assert.equal(isSupportedSchema('dicomtrail.event/1'), true);
  assert.equal(isSupportedSchema('dicomtrail.event/1.2'), true);
  assert.equal(isSupportedSchema('dicomtrail.event/2'), false);
  assert.equal(isSupportedSchema('dicomtrail.event/0'), false);
});
