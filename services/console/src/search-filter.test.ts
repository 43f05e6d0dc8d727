import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsoleError } from './errors.js';
import { parseFilter, whereClause } from './search-filter.js';

const now = new Date('2026-12-07T12:00:00Z');

test('given filters, then the WHERE clause numbers one parameter per filter after the period', () => {
  const f = parseFilter(
    { from: '2026-12-01', to: '2026-12-07', ae: 'STORESCU', status: 'failure', page: '3', x: 'y' },
    now,
  );
  assert.equal(f.from.toISOString(), '2026-12-01T00:00:00.000Z');
  assert.equal(f.to.toISOString(), '2026-12-08T00:00:00.000Z');
  assert.equal(f.page, 3);
  const w = whereClause(f);
  assert.equal(
    w.sql,
    'o.started_at >= $1 AND o.started_at < $2 AND (a.calling_ae_title = $3 OR a.called_ae_title = $3) AND o.status_category = $4',
  );
  assert.deepEqual(w.params.slice(2), ['STORESCU', 'failure']);
});

test('given no period, then the last 30 days; bad values are refused with a clear error', () => {
  const f = parseFilter({}, now);
  assert.equal(f.from.toISOString(), '2026-11-07T12:00:00.000Z');
  assert.throws(
    () => parseFilter({ operation: 'DROP' }, now),
    (e: unknown) => e instanceof ConsoleError && e.status === 400,
  );
  assert.throws(() => parseFilter({ from: 'yesterday' }, now), /is not a date/);
  assert.throws(() => parseFilter({ from: '2026-12-05', to: '2026-12-01' }, now), /ends before it starts/);
});
