import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '@dicomtrail/runtime';
import { adapterConfigSpec } from '../config.js';
import { DEFAULT_LINGER_MS, lingerMsOf } from './kafka-producers.js';

test('linger: 50 ms with sync (records already in the log), 10 ms with async, KAFKA_LINGER_MS when set', () => {
  assert.deepEqual(DEFAULT_LINGER_MS, { sync: 50, async: 10 });
  assert.equal(lingerMsOf('sync', undefined), 50);
  assert.equal(lingerMsOf('async', undefined), 10);
  assert.equal(lingerMsOf('sync', 0), 0);
  assert.equal(lingerMsOf('async', 200), 200);
});

test('config: batches go uncompressed and the linger follows the durability unless the environment says', () => {
  const defaults = loadConfig(adapterConfigSpec, {});
  assert.equal(defaults.KAFKA_COMPRESSION, 'none');
  assert.equal(defaults.KAFKA_LINGER_MS, undefined);
  const set = loadConfig(adapterConfigSpec, { KAFKA_COMPRESSION: 'gzip', KAFKA_LINGER_MS: '25' });
  assert.equal(set.KAFKA_COMPRESSION, 'gzip');
  assert.equal(set.KAFKA_LINGER_MS, 25);
});
