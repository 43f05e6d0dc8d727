/** Writes events straight through writeBatch (topic 't', partition 0, group 'g'): Postgres tests without Kafka. */
import assert from 'node:assert/strict';
import type { EventRecord } from '@dicomtrail/event-log';
import { parseEvent } from '@dicomtrail/schemas';
import type pg from 'pg';
import { writeBatch } from '../../src/batch-writer.js';
import { contentOf, type EventContent } from '../../src/event-row.js';
import { PartitionKeeper } from '../../src/partitions.js';

export const SOURCE = { topic: 't', partition: 0 } as const;

export function contentsOf(records: readonly EventRecord[], firstOffset = 0): EventContent[] {
  return records.map((r, i) => {
    const parsed = parseEvent(JSON.parse(r.value.toString()));
    assert.ok(parsed.ok, 'a valid event');
    return contentOf(parsed.event, { ...SOURCE, offset: String(firstOffset + i) });
  });
}

/** One transaction with these events at consecutive offsets from `firstOffset`. */
export async function writeDirect(pool: pg.Pool, contents: readonly EventContent[], firstOffset: number) {
  const events = contents.map((c, i) => {
    const offset = String(firstOffset + i);
    return { offset, content: { ...c, source_offset: offset } };
  });
  await new PartitionKeeper(pool).ensureFor(events.map((e) => e.content.occurred_at));
  const client = await pool.connect();
  try {
    return await writeBatch(client, {
      groupId: 'g',
      ...SOURCE,
      events,
      lastOffset: String(firstOffset + events.length - 1),
    });
  } finally {
    client.release();
  }
}
