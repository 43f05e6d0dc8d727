import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMoveDestinations } from './move-destinations.js';

test('ARCHIVE_MOVE_DESTINATIONS: AE=host:port entries, IPv6 in brackets', () => {
  const t = parseMoveDestinations(['STORESCP=127.0.0.1:11113', ' VIEWER=[::1]:104 ']);
  assert.deepEqual(t.get('STORESCP'), { host: '127.0.0.1', port: 11113 });
  assert.deepEqual(t.get('VIEWER'), { host: '::1', port: 104 });
  assert.equal(parseMoveDestinations([]).size, 0);
});

test('ARCHIVE_MOVE_DESTINATIONS: every bad entry is named in one error', () => {
  assert.throws(
    () => parseMoveDestinations(['OK=h:1', 'NOPORT=host', 'A_TITLE_LONGER_THAN_16=h:1', 'ZERO=h:0']),
    (err: Error & { code?: string }) =>
      err.code === 'DT_ERR_CONFIG_MOVE_DESTINATION' &&
      /NOPORT=host/.test(err.message) &&
      /A_TITLE_LONGER_THAN_16/.test(err.message) &&
      /ZERO=h:0/.test(err.message) &&
      !/OK=h:1/.test(err.message),
  );
});
