/**
 * `dicomtrail audit verify`: walks every hash chain of audit.events in position order and reports the first
 * broken link: a row whose content no longer matches its hash (an edit, even by a superuser with the trigger
 * disabled), a prev_hash that is not the previous row's hash (a row replaced), a missing position (a row
 * deleted), a chain whose last row is not its recorded head (rows removed from the end), or rows in a chain the
 * writer never recorded. Chains of partitions dropped by retention are listed in audit.chain_anchors.
 * A superuser who rewrites a whole chain and its head passes this walk; a ChainCheck (the anchors signed
 * outside the database, anchoring/anchor-verify.ts) catches that.
 */
import type pg from 'pg';
import { EVENT_ROW_SELECT, EVENT_ROWS_FROM, type EventRow, rowFromDb } from './event-row.js';
import { type ChainHead, genesisHash, hashedContent, rowHash } from './hash-chain.js';

export type Problem =
  | 'row_hash'
  | 'prev_hash'
  | 'missing_row'
  | 'head_mismatch'
  | 'unknown_chain'
  | 'anchor_mismatch'
  | 'anchored_rows_missing'
  | 'anchored_chain_missing';

export interface BrokenLink {
  chain_id: string;
  position: number;
  event_id: string | null;
  problem: Problem;
  expected: string;
  found: string;
}

export interface VerifyReport {
  ok: boolean;
  chains: number;
  rows: number;
  anchored_chains: number;
  broken?: BrokenLink;
}

/** Checks one chain row by row (pure; fed in position order). */
export class ChainWalker {
  readonly chainId: string;
  #position = 0;
  #prev: string;

  constructor(chainId: string) {
    this.chainId = chainId;
    this.#prev = genesisHash(chainId);
  }

  next(row: EventRow): BrokenLink | undefined {
    const expectedPosition = this.#position + 1;
    const at = (problem: Problem, expected: string, found: string): BrokenLink => ({
      chain_id: this.chainId,
      position: expectedPosition,
      event_id: row.id,
      problem,
      expected,
      found,
    });
    if (row.chain_position !== expectedPosition) {
      return at('missing_row', `position ${expectedPosition}`, `position ${row.chain_position}`);
    }
    if (row.prev_hash !== this.#prev) return at('prev_hash', this.#prev, row.prev_hash);
    const recomputed = rowHash(this.#prev, hashedContent(row));
    if (recomputed !== row.row_hash) return at('row_hash', recomputed, row.row_hash);
    this.#position = expectedPosition;
    this.#prev = row.row_hash;
    return undefined;
  }

  end(head: ChainHead): BrokenLink | undefined {
    if (this.#position === head.position && this.#prev === head.hash) return undefined;
    return {
      chain_id: this.chainId,
      position: this.#position + 1,
      event_id: null,
      problem: 'head_mismatch',
      expected: `position ${head.position} hash ${head.hash}`,
      found: `position ${this.#position} hash ${this.#prev}`,
    };
  }
}

/** An outside check of one chain's rows, fed each row the walk accepted, then the last position walked. */
export interface ChainCheck {
  next(row: EventRow): BrokenLink | undefined;
  end(lastPosition: number): BrokenLink | undefined;
}

export interface VerifyOptions {
  /** A check of each chain beside the walk's own (anchors signed outside the database). */
  checkFor?: (chainId: string) => ChainCheck | undefined;
}

const PAGE = 5000;

export async function verifyTrail(pool: pg.Pool, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const { rows: heads } = await pool.query<{ chain_id: string; position: number; hash: string }>(
    `SELECT chain_id, position::float8 AS position, encode(head_hash, 'hex') AS hash
       FROM audit.chain_heads ORDER BY chain_id`,
  );
  const { rows: anchored } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM audit.chain_anchors',
  );
  const report: VerifyReport = {
    ok: true,
    chains: heads.length,
    rows: 0,
    anchored_chains: anchored[0]?.n ?? 0,
  };
  const { rows: unknown } = await pool.query<{ chain_id: string; position: number; id: string }>(
    `SELECT DISTINCT ON (chain_id) chain_id, chain_position::float8 AS position, id::text
       FROM audit.events WHERE chain_id NOT IN (SELECT chain_id FROM audit.chain_heads)
      ORDER BY chain_id, chain_position LIMIT 1`,
  );
  for (const head of heads) {
    const check = opts.checkFor?.(head.chain_id);
    const recorded = { position: head.position, hash: head.hash };
    const broken = await walkChain(pool, head.chain_id, recorded, report, check);
    if (broken) return { ...report, ok: false, broken };
  }
  const stray = unknown[0];
  if (stray) {
    const broken: BrokenLink = {
      chain_id: stray.chain_id,
      position: stray.position,
      event_id: stray.id,
      problem: 'unknown_chain',
      expected: 'a chain recorded in audit.chain_heads',
      found: 'rows of a chain the writer never recorded',
    };
    return { ...report, ok: false, broken };
  }
  return report;
}

async function walkChain(
  pool: pg.Pool,
  chainId: string,
  head: ChainHead,
  report: VerifyReport,
  check?: ChainCheck,
): Promise<BrokenLink | undefined> {
  const walker = new ChainWalker(chainId);
  let after = 0;
  for (;;) {
    const { rows } = await pool.query(
      `SELECT ${EVENT_ROW_SELECT} FROM ${EVENT_ROWS_FROM}
        WHERE chain_id = $1 AND chain_position > $2 ORDER BY chain_position LIMIT ${PAGE}`,
      [chainId, after],
    );
    for (const r of rows) {
      const row = rowFromDb(r);
      const broken = walker.next(row) ?? check?.next(row);
      if (broken) return broken;
      report.rows += 1;
      after = row.chain_position;
    }
    if (rows.length < PAGE) break;
  }
  return walker.end(head) ?? check?.end(after);
}

export function describeBroken(b: BrokenLink): string {
  return [
    `broken link in chain ${b.chain_id} at position ${b.position}${b.event_id ? ` (event ${b.event_id})` : ''}: ${b.problem}`,
    `  expected: ${b.expected}`,
    `  found:    ${b.found}`,
  ].join('\n');
}
