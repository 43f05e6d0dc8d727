import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from './config.js';

const spec = {
  PORT: { type: 'int', default: 11112, min: 1, max: 65535, description: 'port' },
  AE: { type: 'string', default: 'DICOMTRAIL', pattern: /^.{1,16}$/, description: 'ae' },
  MODE: { type: 'enum', values: ['scp', 'proxy'], default: 'scp', description: 'mode' },
  FLAG: { type: 'bool', default: false, description: 'flag' },
  LIST: { type: 'list', default: ['a'], description: 'list' },
} as const;

test('defaults apply when variables are unset', () => {
  const c = loadConfig(spec, {});
  assert.deepEqual(c, { PORT: 11112, AE: 'DICOMTRAIL', MODE: 'scp', FLAG: false, LIST: ['a'] });
});

test('values are parsed', () => {
  const c = loadConfig(spec, { PORT: '104', FLAG: 'true', LIST: 'x, y', MODE: 'proxy' });
  assert.equal(c.PORT, 104);
  assert.equal(c.FLAG, true);
  assert.deepEqual(c.LIST, ['x', 'y']);
  assert.equal(c.MODE, 'proxy');
});

test('every invalid variable is reported at once', () => {
  assert.throws(
    () => loadConfig(spec, { PORT: '70000', AE: 'WAY_TOO_LONG_AE_TITLE', MODE: 'x', FLAG: 'maybe' }),
    (err: unknown) => err instanceof ConfigError && err.problems.length === 4,
  );
});
