/**
 * `dicomtrail audit verify --anchors DIR`: the trail checked against the heads signed outside the database.
 * In order, the first discrepancy wins:
 *  1. the anchors themselves (anchor-chain.ts): signatures with the trusted public key, seq and prev links,
 *     timestamp tokens;
 *  2. the hash walk of every chain (verify.ts), with each chain's rows also checked against every head an
 *     anchor signed for it (anchored-chain.ts): a rewritten chain, a removed tail;
 *  3. chains an anchor signed that the database no longer has: accounted for only by a retention record
 *     that keeps the policy (retention-record.ts), else a month dropped outside the retention job.
 * Reported beside the verdict: gaps (intervals without an anchor) and rows not anchored yet.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type pg from 'pg';
import { describeBroken, type VerifyReport, verifyTrail } from '../verify.js';
import { type AnchorGap, describeAnchor, type ReadAnchor, readAnchorChain } from './anchor-chain.js';
import type { AnchoredHead, RetiredChain } from './anchor-record.js';
import { AnchoredChainCheck, type Checkpoint } from './anchored-chain.js';
import { readRetired, unaccountedDrop } from './retention-record.js';

export interface AnchoredVerifyOptions {
  dir: string;
  publicKey: KeyObject;
  trusted?: readonly X509Certificate[];
  /** The retention policy's minimum (AUDIT_RETENTION_DAYS). */
  minRetentionDays: number;
  now?: Date;
}

export interface UnanchoredRows {
  chain_id: string;
  from: number;
  to: number;
}

export interface AnchoredVerifyReport {
  ok: boolean;
  anchors: number;
  timestamped: number;
  first?: string;
  last?: string;
  gaps: AnchorGap[];
  trail?: VerifyReport;
  /** Anchored chains gone from the database, accounted for by retention. */
  retired: number;
  unanchored: UnanchoredRows[];
  discrepancy?: string;
}

interface Retirement {
  chain: RetiredChain;
  /** The furthest head signed for the chain before it left (none: it was never anchored). */
  last: Checkpoint | undefined;
  seenAt: Date;
  by: string;
}

interface Anchored {
  /** Per chain, the heads signed since it last left the database (a month's chain id comes back when a late
   * event arrives for a month retention dropped: the writer starts that chain again from genesis). */
  checkpoints: Map<string, Checkpoint[]>;
  retirements: Retirement[];
}

/** Folds each anchor, as it is read, into what the database is checked against. */
function folder(): { anchored: Anchored; visit: (a: ReadAnchor) => void } {
  const anchored: Anchored = { checkpoints: new Map(), retirements: [] };
  const visit = (a: ReadAnchor) => {
    const by = describeAnchor(a); // one string per anchor, shared by its checkpoints
    for (const r of a.anchor.retired) {
      const cps = anchored.checkpoints.get(r.chain_id);
      anchored.checkpoints.delete(r.chain_id);
      anchored.retirements.push({ chain: r, last: cps && furthest(cps), seenAt: a.time, by });
    }
    for (const h of a.anchor.heads) {
      const list = anchored.checkpoints.get(h.chain_id);
      const cp = { position: h.position, hash: h.hash, anchor: by };
      if (list) list.push(cp);
      else anchored.checkpoints.set(h.chain_id, [cp]);
    }
  };
  return { anchored, visit };
}

const furthest = (cps: readonly Checkpoint[]): Checkpoint =>
  cps.reduce((a, b) => (b.position >= a.position ? b : a));

export async function verifyWithAnchors(
  pool: pg.Pool,
  o: AnchoredVerifyOptions,
): Promise<AnchoredVerifyReport> {
  const { anchored, visit } = folder();
  const chain = readAnchorChain(o.dir, o.publicKey, o.trusted ?? [], visit);
  const report: AnchoredVerifyReport = {
    ok: false,
    anchors: chain.count,
    timestamped: chain.timestamped,
    ...(chain.first ? { first: chain.first, last: chain.last } : {}),
    gaps: chain.gaps,
    retired: 0,
    unanchored: [],
  };
  if (chain.discrepancy) return { ...report, discrepancy: chain.discrepancy };
  const trail = await verifyTrail(pool, {
    checkFor: (id) => {
      const cps = anchored.checkpoints.get(id);
      return cps ? new AnchoredChainCheck(id, cps) : undefined;
    },
  });
  report.trail = trail;
  if (trail.broken) return { ...report, discrepancy: describeBroken(trail.broken) };

  const { rows: heads } = await pool.query<{ chain_id: string; position: number }>(
    'SELECT chain_id, position::float8 AS position FROM audit.chain_heads ORDER BY chain_id',
  );
  const inDb = new Set(heads.map((h) => h.chain_id));
  const dropped = await droppedChainProblem(pool, anchored, inDb, o);
  if (dropped.problem) return { ...report, retired: dropped.retired, discrepancy: dropped.problem };
  report.retired = dropped.retired;
  for (const h of heads) {
    const cps = anchored.checkpoints.get(h.chain_id);
    const upTo = cps ? furthest(cps).position : 0;
    if (h.position > upTo) report.unanchored.push({ chain_id: h.chain_id, from: upTo + 1, to: h.position });
  }
  return { ...report, ok: true };
}

const goneMessage = (id: string, last: Checkpoint, why: string, seenBy?: string) =>
  `chain ${id}, signed up to position ${last.position} by ${last.anchor}, is gone from the database${seenBy ? `; its absence recorded by ${seenBy}` : ''}: ${why}`;

const headOf = (id: string, cp: Checkpoint): AnchoredHead => ({
  chain_id: id,
  position: cp.position,
  hash: cp.hash,
});

/**
 * Chains that left the database after an anchor signed them: first those an anchor saw leave (judged by the
 * retention record it copied, as of when it saw), then those still anchored but absent (judged by what the
 * database says now).
 */
async function droppedChainProblem(
  pool: pg.Pool,
  anchored: Anchored,
  inDb: ReadonlySet<string>,
  o: AnchoredVerifyOptions,
): Promise<{ retired: number; problem?: string }> {
  let retired = 0;
  for (const r of anchored.retirements) {
    if (!r.last) continue;
    const why = unaccountedDrop(headOf(r.chain.chain_id, r.last), r.chain, r.chain.retention, {
      minRetentionDays: o.minRetentionDays,
      // TSAs give genTime to the second (and an accuracy): a second of grace.
      notAfter: new Date(r.seenAt.getTime() + 1000),
    });
    if (why) return { retired, problem: goneMessage(r.chain.chain_id, r.last, why, r.by) };
    retired += 1;
  }
  const gone = [...anchored.checkpoints.keys()].filter((id) => !inDb.has(id)).sort();
  if (gone.length === 0) return { retired };
  const fromDb = await readRetired(pool, gone);
  for (const id of gone) {
    const last = furthest(anchored.checkpoints.get(id)!);
    const db = fromDb.get(id);
    const why = unaccountedDrop(headOf(id, last), db?.final, db?.fact ?? null, {
      minRetentionDays: o.minRetentionDays,
      notAfter: o.now ?? new Date(),
    });
    if (why) return { retired, problem: goneMessage(id, last, why) };
    retired += 1;
  }
  return { retired };
}

export function describeAnchoredReport(r: AnchoredVerifyReport): string {
  const lines: string[] = [];
  if (r.trail && !r.discrepancy) {
    lines.push(
      `OK: ${r.trail.chains} chains, ${r.trail.rows} rows verified; ${r.trail.anchored_chains} chains anchored by retention`,
    );
  } else if (r.discrepancy) {
    lines.push(`FAILED: ${r.discrepancy}`);
  }
  lines.push(
    `anchors: ${r.anchors} (${r.timestamped} timestamped)${r.first ? `, ${r.first} .. ${r.last}` : ''}; ${r.retired} anchored chains retired by retention`,
  );
  for (const g of r.gaps) {
    lines.push(
      `GAP: no anchor from ${g.from} to ${g.to} (${g.seconds} s; interval ${g.interval_ms / 1000} s)`,
    );
  }
  for (const u of r.unanchored) {
    lines.push(`not anchored yet: chain ${u.chain_id} positions ${u.from}..${u.to}`);
  }
  return lines.join('\n');
}
