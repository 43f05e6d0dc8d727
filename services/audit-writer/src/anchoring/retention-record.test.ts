import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RetentionFact } from './anchor-record.js';
import { unaccountedDrop } from './retention-record.js';

const chain = 't/0/events_2020_01';
const anchored = { chain_id: chain, position: 38, hash: 'aa' };
const fact: RetentionFact = {
  event_id: 'ev',
  occurred_at: '2026-12-07T12:00:00.000000Z',
  cutoff: '2025-12-07T12:00:00.000000Z',
  retention_days: 365,
  partition: 'events_2020_01',
};
const policy = { minRetentionDays: 365, notAfter: new Date('2026-12-07T12:01:00Z') };

test('a retention run that keeps the policy accounts for the drop (final head = or beyond the anchored one)', () => {
  assert.equal(unaccountedDrop(anchored, anchored, fact, policy), undefined);
  assert.equal(unaccountedDrop(anchored, { ...anchored, position: 40, hash: 'bb' }, fact, policy), undefined);
});

test('what does not account for a drop', () => {
  const cases: [string, Parameters<typeof unaccountedDrop>, RegExp][] = [
    ['no record', [anchored, anchored, null, policy], /no retention record names its month/],
    [
      'another month',
      [anchored, anchored, { ...fact, partition: 'events_2020_02' }, policy],
      /names events_2020_02/,
    ],
    ['no final head', [anchored, undefined, fact, policy], /final head of the chain is not recorded/],
    [
      'final head behind',
      [anchored, { ...anchored, position: 30 }, fact, policy],
      /does not extend the anchored head/,
    ],
    [
      'final head forked',
      [anchored, { ...anchored, hash: 'bb' }, fact, policy],
      /does not extend the anchored head/,
    ],
    [
      'lax policy',
      [anchored, anchored, fact, { ...policy, minRetentionDays: 2557 }],
      /keeps 365 days; the policy is at least 2557/,
    ],
    [
      'cutoff later than time minus days',
      [anchored, anchored, { ...fact, cutoff: '2026-12-01T00:00:00.000000Z' }, policy],
      /later than its time minus 365 days/,
    ],
    [
      'month not before the cutoff',
      [
        { ...anchored, chain_id: 't/0/events_2026_11' },
        { ...anchored, chain_id: 't/0/events_2026_11' },
        { ...fact, partition: 'events_2026_11' },
        policy,
      ],
      /events_2026_11 ends 2026-12-01T00:00:00.000Z, after the retention cutoff/,
    ],
    [
      'record dated after the drop was seen',
      [anchored, anchored, fact, { ...policy, notAfter: new Date('2026-12-07T11:00:00Z') }],
      /is dated 2026-12-07T12:00:00.000000Z, after the drop was seen/,
    ],
  ];
  for (const [name, args, reason] of cases) {
    assert.match(unaccountedDrop(...args) ?? '(accounted)', reason, name);
  }
});
