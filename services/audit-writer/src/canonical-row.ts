/**
 * A row's hashed text (hashedContent's bytes: the canonical JSON of every column but ingested_at and the two
 * hashes) written straight from the column list: the keys are known, so they are sorted and quoted once, not
 * per row, and the jsonb columns come in already rendered. Verify keeps the generic canonicalJson, so the two
 * are checked against each other on every verified row.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { EVENT_COLUMNS, type EventContent } from './event-row.js';

type HashedKey = keyof EventContent | 'chain_id' | 'chain_position';

const HASHED_KEYS = EVENT_COLUMNS.map(([name]) => name)
  .filter((name): name is HashedKey => name !== 'prev_hash' && name !== 'row_hash')
  .sort();
const QUOTED = HASHED_KEYS.map((k) => `${JSON.stringify(k)}:`);

export interface RenderedJsonb {
  params: string;
  negotiation: string | null;
}

export function canonicalRow(
  content: EventContent,
  chainId: string,
  position: number,
  jsonb: RenderedJsonb,
): string {
  let out = '{';
  for (let i = 0; i < HASHED_KEYS.length; i++) {
    const key = HASHED_KEYS[i]!;
    let v: string;
    if (key === 'params') v = jsonb.params;
    else if (key === 'negotiation') v = jsonb.negotiation ?? 'null';
    else if (key === 'chain_id') v = JSON.stringify(chainId);
    else if (key === 'chain_position') v = String(position);
    else {
      const x = content[key];
      if (x === undefined) continue;
      v = typeof x === 'string' ? JSON.stringify(x) : canonicalJson(x);
    }
    out += out.length === 1 ? QUOTED[i] + v : `,${QUOTED[i]}${v}`;
  }
  return `${out}}`;
}

/** A negotiation's canonical JSON and its sha256 (hex): its key in audit.negotiations. */
export interface RenderedNegotiation {
  text: string;
  sha256: string;
}

/**
 * A negotiation rendered, remembered by its JSON.stringify text (equal text, equal value): an association's
 * lifecycle events repeat the same ~35 KB negotiation, and associations from one peer repeat it too.
 * Bounded: emptied when full.
 */
const NEGOTIATIONS_MAX = 64;
const negotiations = new Map<string, RenderedNegotiation>();

export function renderNegotiation(negotiation: Record<string, unknown>): RenderedNegotiation {
  const key = JSON.stringify(negotiation);
  let rendered = negotiations.get(key);
  if (rendered === undefined) {
    const text = canonicalJson(negotiation);
    rendered = { text, sha256: createHash('sha256').update(text, 'utf8').digest('hex') };
    if (negotiations.size >= NEGOTIATIONS_MAX) negotiations.clear();
    negotiations.set(key, rendered);
  }
  return rendered;
}
