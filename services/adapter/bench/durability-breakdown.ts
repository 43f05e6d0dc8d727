/**
 * Where the durability wait of AUDIT_DURABILITY=sync goes, per acknowledged operation, as the adapter itself
 * counts it (sinks/wait-breakdown.ts, in /metrics under `event_log.breakdown`): read before and after a round,
 * the difference divided by the operations of the round (instances stored, or echoes answered).
 */
import type { WaitBreakdownSnapshot } from '../src/sinks/wait-breakdown.js';
import { median, round } from './bench-support.js';

/** The counters the adapter reports. */
export type Counters = WaitBreakdownSnapshot;

/** One round's breakdown, per operation. */
export interface RoundBreakdown {
  operations: number;
  wall_us_per_op: number;
  events_per_op: number;
  waits_per_op: number;
  /** Writes of the queued events to the log without a sync (a C-STORE's request, before its filing). */
  logged_per_op: number;
  syncs_per_op: number;
  encode_us_per_event: number;
  append_us_per_event: number;
  sync_us_per_op: number;
  sync_median_us: number | null;
  sync_p90_us: number | null;
  hops_per_wait: number;
}

export async function readCounters(healthPort: number): Promise<Counters | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${healthPort}/metrics`);
    const body = (await res.json()) as { event_log?: { breakdown?: Counters } };
    return body.event_log?.breakdown;
  } catch {
    return undefined;
  }
}

export function perOperation(
  before: Counters,
  after: Counters,
  operations: number,
  seconds: number,
): RoundBreakdown {
  const d = (k: 'events' | 'encode_us' | 'append_us' | 'waits' | 'syncs' | 'sync_us'): number =>
    after[k] - before[k];
  const events = Math.max(1, d('events'));
  return {
    operations,
    wall_us_per_op: round((seconds * 1e6) / operations, 1),
    events_per_op: round(d('events') / operations, 2),
    waits_per_op: round(d('waits') / operations, 2),
    // A build without the counter reports none.
    logged_per_op: round(((after.logged ?? 0) - (before.logged ?? 0)) / operations, 2),
    syncs_per_op: round(d('syncs') / operations, 2),
    encode_us_per_event: round(d('encode_us') / events, 1),
    append_us_per_event: round(d('append_us') / events, 1),
    sync_us_per_op: round(d('sync_us') / operations, 1),
    sync_median_us: after.sync_median_us,
    sync_p90_us: after.sync_p90_us,
    hops_per_wait: after.hops_per_wait,
  };
}

/** The medians over rounds, as one Markdown table row per case. */
export function breakdownTable(rows: { label: string; rounds: RoundBreakdown[] }[]): string[] {
  const lines = [
    '| Case (AUDIT_DURABILITY=sync) | wall µs per op | events per op | waits per op | unsynced writes per op | ' +
      'fdatasyncs per op | ' +
      'encode µs per event | append µs per event | fdatasync µs per op | fdatasync median (p90) µs | ' +
      'thread hops per wait | fdatasync share of the wall |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { label, rounds } of rows) {
    if (rounds.length === 0) continue;
    const m = (f: (r: RoundBreakdown) => number): number => median(rounds.map(f));
    const wall = m((r) => r.wall_us_per_op);
    const sync = m((r) => r.sync_us_per_op);
    const last = rounds[rounds.length - 1] as RoundBreakdown;
    lines.push(
      `| ${label} | ${wall.toFixed(0)} | ${m((r) => r.events_per_op).toFixed(1)} | ${m((r) => r.waits_per_op).toFixed(2)} | ` +
        `${m((r) => r.logged_per_op).toFixed(2)} | ` +
        `${m((r) => r.syncs_per_op).toFixed(2)} | ${m((r) => r.encode_us_per_event).toFixed(1)} | ` +
        `${m((r) => r.append_us_per_event).toFixed(1)} | ${sync.toFixed(0)} | ` +
        `${last.sync_median_us ?? '—'} (${last.sync_p90_us ?? '—'}) | ${last.hops_per_wait} | ` +
        `${wall > 0 ? ((100 * sync) / wall).toFixed(0) : '—'} % |`,
    );
  }
  return lines;
}
