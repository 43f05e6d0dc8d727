/**
 * One Kafka partition batch → one Postgres transaction (shared/research/infra.md §5):
 *  1. lock the group's checkpoint for the partition and drop records below it (already written);
 *  2. drop events whose id is already in the trail (producer-side duplicates, e.g. a spool replay);
 *  3. lock the chain heads, link the new rows (hash chain), store their negotiations not yet stored (once
 *     each, audit.negotiations), insert the rows (COPY or one multi-row INSERT);
 *  4. update the projections and seq findings from exactly the rows inserted; keep the records that could not
 *     be stored in audit.dead_letters;
 *  5. move the checkpoint past the batch (dead-lettered records included) and commit.
 * The caller commits the Kafka offset only after this resolves.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type pg from 'pg';
import { ByteSink } from './byte-sink.js';
import type { DeadLetterRow } from './dead-letter-row.js';
import { type InsertMethod, insertEvents } from './event-insert.js';
import type { EventContent, EventRow } from './event-row.js';
import { type ChainHead, chainIdOf, link, partitionOf, type RenderedRow } from './hash-chain.js';
import { storeNegotiations } from './negotiation-store.js';
import { applyProjections, type ProjectionResult } from './projections/apply.js';

export interface BatchInput {
  groupId: string;
  topic: string;
  partition: number;
  /** Valid events of the batch in offset order, each with its offset. */
  events: readonly { offset: string; content: EventContent }[];
  /** Records of the batch that could not be stored: kept in audit.dead_letters (once per offset). */
  deadLetters?: readonly DeadLetterRow[];
  /** The batch's last offset (dead-lettered records included). */
  lastOffset: string;
  /** How rows go into audit.events (default 'copy'). */
  method?: InsertMethod;
}

export interface BatchResult {
  inserted: EventRow[];
  /** Below the checkpoint: written by an earlier transaction. */
  alreadyWritten: number;
  /** Event id already in the trail. */
  duplicates: number;
  projections: ProjectionResult;
  nextOffset: string;
}

const INSERT_DEAD_LETTERS = `INSERT INTO audit.dead_letters (topic, partition, kafka_offset, reason, event_id,
    event_type, association_id, seq, occurred_at, calling_ae_title, called_ae_title, value_bytes, value_sha256,
    value_text, value_truncated)
  SELECT topic, partition, kafka_offset, reason, event_id, event_type, association_id, seq, occurred_at,
         calling_ae_title, called_ae_title, value_bytes, value_sha256, value_text, value_truncated
    FROM json_to_recordset($1::json) AS x(topic text, partition int, kafka_offset bigint, reason text,
         event_id uuid, event_type text, association_id uuid, seq bigint, occurred_at text,
         calling_ae_title text, called_ae_title text, value_bytes int, value_sha256 bytea, value_text text,
         value_truncated boolean)
  ON CONFLICT DO NOTHING`;

export async function writeBatch(client: pg.ClientBase, input: BatchInput): Promise<BatchResult> {
  const nextOffset = (BigInt(input.lastOffset) + 1n).toString();
  await client.query('BEGIN');
  try {
    const checkpoint = await lockCheckpoint(client, input);
    const fresh = input.events.filter((e) => BigInt(e.offset) >= checkpoint);
    const { unique, duplicates } = await dropKnown(client, fresh);
    const inserted = await insertLinked(client, input, unique, input.method);
    const projections = await applyProjections(client, inserted);
    const deadLetters = (input.deadLetters ?? []).filter((d) => BigInt(d.kafka_offset) >= checkpoint);
    if (deadLetters.length > 0) await client.query(INSERT_DEAD_LETTERS, [JSON.stringify(deadLetters)]);
    if (BigInt(nextOffset) > checkpoint) {
      await client.query(
        `UPDATE audit.consumer_checkpoints SET next_offset = $4, updated_at = now()
          WHERE group_id = $1 AND topic = $2 AND partition = $3`,
        [input.groupId, input.topic, input.partition, nextOffset],
      );
    }
    await client.query('COMMIT');
    return {
      inserted,
      alreadyWritten: input.events.length - fresh.length,
      duplicates,
      projections,
      nextOffset: BigInt(nextOffset) > checkpoint ? nextOffset : checkpoint.toString(),
    };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err instanceof DicomtrailError
      ? err
      : new DicomtrailError(
          'DT_ERR_AUDIT_BATCH',
          `audit batch failed: ${(err as Error).message}`,
          { topic: input.topic, partition: input.partition, last_offset: input.lastOffset },
          err,
        );
  }
}

async function lockCheckpoint(client: pg.ClientBase, input: BatchInput): Promise<bigint> {
  const key = [input.groupId, input.topic, input.partition];
  await client.query(
    `INSERT INTO audit.consumer_checkpoints (group_id, topic, partition, next_offset)
     VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING`,
    key,
  );
  const { rows } = await client.query<{ next_offset: string }>(
    `SELECT next_offset::text FROM audit.consumer_checkpoints
      WHERE group_id = $1 AND topic = $2 AND partition = $3 FOR UPDATE`,
    key,
  );
  return BigInt(rows[0]?.next_offset ?? '0');
}

async function dropKnown(
  client: pg.ClientBase,
  events: readonly { content: EventContent }[],
): Promise<{ unique: EventContent[]; duplicates: number }> {
  if (events.length === 0) return { unique: [], duplicates: 0 };
  const contents = events.map((e) => e.content);
  let min = contents[0]!.occurred_at;
  let max = min;
  for (const c of contents) {
    if (c.occurred_at < min) min = c.occurred_at;
    if (c.occurred_at > max) max = c.occurred_at;
  }
  const { rows } = await client.query<{ id: string }>(
    'SELECT id::text FROM audit.events WHERE id = ANY($1::uuid[]) AND occurred_at BETWEEN $2 AND $3',
    [contents.map((c) => c.id), min, max],
  );
  const seen = new Set(rows.map((r) => r.id));
  const unique: EventContent[] = [];
  for (const c of contents) {
    if (seen.has(c.id)) continue;
    seen.add(c.id); // the same id twice in one batch: the first wins
    unique.push(c);
  }
  return { unique, duplicates: contents.length - unique.length };
}

export async function insertLinked(
  client: pg.ClientBase,
  source: { topic: string; partition: number },
  contents: readonly EventContent[],
  method: InsertMethod = 'copy',
): Promise<EventRow[]> {
  if (contents.length === 0) return [];
  const byChain = new Map<string, { partition: string; contents: EventContent[] }>();
  for (const c of contents) {
    const partition = partitionOf(c.occurred_at);
    const chainId = chainIdOf(source, partition);
    const group = byChain.get(chainId);
    if (group) group.contents.push(c);
    else byChain.set(chainId, { partition, contents: [c] });
  }
  const heads = await lockHeads(client, [...byChain.keys()]);
  const rows: EventRow[] = [];
  const rendered: RenderedRow[] = [];
  const copy = method === 'copy' ? new ByteSink(contents.length * 2048) : undefined;
  const newHeads: { chain_id: string; partition: string; position: number; head_hash: string }[] = [];
  for (const [chainId, group] of byChain) {
    const linked = link(chainId, heads.get(chainId), group.contents, copy);
    rows.push(...linked.rows);
    rendered.push(...linked.rendered);
    newHeads.push({
      chain_id: chainId,
      partition: group.partition,
      position: linked.head.position,
      head_hash: `\\x${linked.head.hash}`,
    });
  }
  await storeNegotiations(client, rendered);
  await insertEvents(client, method, rows, rendered, copy);
  // Only through the owner's function, which checks that each new head extends the old one (migration 0009).
  await client.query('SELECT audit.advance_chain_heads($1::json)', [JSON.stringify(newHeads)]);
  return rows;
}

async function lockHeads(
  client: pg.ClientBase,
  chainIds: readonly string[],
): Promise<Map<string, ChainHead>> {
  const { rows } = await client.query<{ chain_id: string; position: number; hash: string }>(
    'SELECT chain_id, position::float8 AS position, hash FROM audit.lock_chain_heads($1::text[])',
    [chainIds],
  );
  return new Map(rows.map((r) => [r.chain_id, { position: r.position, hash: r.hash }]));
}
