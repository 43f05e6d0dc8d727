/**
 * The anchoring process: every interval it reads the head of every hash chain (audit.chain_heads, through the
 * dicomtrail_anchor role, which cannot read the events themselves), signs them with the anchoring key, has the signature timestamped by the TSA when one is
 * configured, and writes the anchor to the anchor directory. The first anchor of a run lists every chain
 * (`full`), later ones the chains that changed and the chains that left the database with the retention
 * record that accounts for them. An anchor is written every interval even when nothing changed, so a silence
 * in the directory means the process was not running. A head that moved backwards or changed at the same
 * position is logged as an error (it is anchored as seen; verify names the rewrite).
 */
import { DicomtrailError, type Logger } from '@dicomtrail/runtime';
import type pg from 'pg';
import { readLastAnchorFile, writeAnchorFile } from './anchor-directory.js';
import type { AnchorSigningKey } from './anchor-key.js';
import {
  ANCHOR_FORMAT,
  type Anchor,
  type AnchoredHead,
  anchorDigest,
  type RetiredChain,
  signAnchor,
  signatureVerifies,
  timestampImprint,
} from './anchor-record.js';
import { readRetired } from './retention-record.js';
import { requestTimestamp, type TsaOptions } from './tsa-client.js';

/** What the anchoring process reads (migration 0013 grants the dicomtrail_anchor role exactly these). */
export const ANCHOR_TABLES = ['chain_heads', 'chain_anchors', 'retention_runs'] as const;

export interface AnchorerOptions {
  pool: pg.Pool;
  dir: string;
  key: AnchorSigningKey;
  intervalMs: number;
  tsa?: TsaOptions;
  log: Logger;
  now?: () => Date;
  /** Called with every anchor written (e.g. to forward it to an audit record repository). */
  onAnchor?: (anchor: Anchor, file: string) => void;
}

export class Anchorer {
  readonly #o: AnchorerOptions;
  #seq: number;
  #prev: string | null;
  #known: Map<string, AnchoredHead> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #stopped = false;

  private constructor(o: AnchorerOptions, seq: number, prev: string | null) {
    this.#o = o;
    this.#seq = seq;
    this.#prev = prev;
  }

  /** Continues the directory's anchor chain; refuses a last anchor its own key did not sign. */
  static open(o: AnchorerOptions): Anchorer {
    const { seq, prev } = continuation(o.dir, o.key);
    return new Anchorer(o, seq, prev);
  }

  async anchorOnce(): Promise<{ anchor: Anchor; file: string }> {
    const { pool, key, log } = this.#o;
    const { rows: heads } = await pool.query<AnchoredHead>(
      `SELECT chain_id, position::float8 AS position, encode(head_hash, 'hex') AS hash
         FROM audit.chain_heads ORDER BY chain_id`,
    );
    const known = this.#known;
    const changed = known
      ? heads.filter((h) => {
          const k = known.get(h.chain_id);
          if (k && (h.position < k.position || (h.position === k.position && h.hash !== k.hash))) {
            log.error(
              { chain_id: h.chain_id, was: k.position, now: h.position },
              'chain head moved backwards or changed in place (a rewrite)',
            );
          }
          return k?.position !== h.position || k.hash !== h.hash;
        })
      : heads;
    const current = new Set(heads.map((h) => h.chain_id));
    const gone = known ? [...known.values()].filter((k) => !current.has(k.chain_id)) : [];
    const retired = gone.length > 0 ? await this.#retired(gone) : [];
    const now = (this.#o.now ?? (() => new Date()))();
    let anchor = signAnchor(
      {
        format: ANCHOR_FORMAT,
        seq: this.#seq + 1,
        created_at: now.toISOString(),
        interval_ms: this.#o.intervalMs,
        key_id: key.keyId,
        prev: this.#prev,
        full: known === undefined,
        heads: changed,
        retired,
      },
      key.privateKey,
    );
    anchor = await this.#timestamped(anchor);
    let file: string;
    try {
      file = writeAnchorFile(this.#o.dir, anchor);
    } catch (err) {
      // Another writer took this seq (a second anchoring process on the directory): continue after its anchor,
      // listing every chain again.
      ({ seq: this.#seq, prev: this.#prev } = continuation(this.#o.dir, key));
      this.#known = undefined;
      throw err;
    }
    this.#seq = anchor.seq;
    this.#prev = anchorDigest(anchor);
    this.#known = new Map(heads.map((h) => [h.chain_id, h]));
    log.info(
      {
        seq: anchor.seq,
        file,
        heads: changed.length,
        retired: retired.length,
        timestamped: 'timestamp_token' in anchor,
      },
      'chain heads anchored',
    );
    this.#o.onAnchor?.(anchor, file);
    return { anchor, file };
  }

  async #retired(gone: readonly AnchoredHead[]): Promise<RetiredChain[]> {
    const inDb = await readRetired(
      this.#o.pool,
      gone.map((g) => g.chain_id),
    );
    return gone.map((g) => {
      const r = inDb.get(g.chain_id);
      if (!r?.fact)
        this.#o.log.error({ chain_id: g.chain_id }, 'chain left the database without a retention record');
      return { ...(r?.final ?? g), retention: r?.fact ?? null };
    });
  }

  async #timestamped(anchor: Anchor): Promise<Anchor> {
    const { tsa, log } = this.#o;
    if (!tsa) return anchor;
    try {
      const { token, info } = await requestTimestamp(timestampImprint(anchor), tsa);
      log.debug({ seq: anchor.seq, gen_time: info.genTime.toISOString() }, 'anchor timestamped');
      return { ...anchor, timestamp_token: token.toString('base64') };
    } catch (err) {
      log.warn(
        { err, seq: anchor.seq },
        'anchor not timestamped (written signed only; the next timestamped anchor covers it)',
      );
      return anchor;
    }
  }

  /** Anchors now, then every interval until stop(); a failed round is logged and retried at the next. */
  start(): void {
    const round = async () => {
      const t0 = Date.now();
      try {
        await this.anchorOnce();
      } catch (err) {
        this.#o.log.error({ err }, 'anchoring round failed (no anchor for this interval)');
      }
      if (!this.#stopped) {
        this.#timer = setTimeout(
          () => {
            this.#running = round();
          },
          Math.max(0, this.#o.intervalMs - (Date.now() - t0)),
        );
      }
    };
    this.#running = round();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }
}

/** Where the directory's anchor chain continues: after its last anchor, which this key must have signed. */
function continuation(dir: string, key: AnchorSigningKey): { seq: number; prev: string | null } {
  const last = readLastAnchorFile(dir);
  if (!last) return { seq: 0, prev: null };
  let anchor: Anchor;
  try {
    anchor = JSON.parse(last.text) as Anchor;
  } catch (err) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_CHAIN',
      `the last anchor ${last.name} is not JSON`,
      { file: last.name },
      err,
    );
  }
  if (anchor.seq !== last.seq || anchor.key_id !== key.keyId || !signatureVerifies(anchor, key.publicKey)) {
    throw new DicomtrailError(
      'DT_ERR_ANCHOR_CHAIN',
      `the last anchor in ${dir} (${last.name}) was not signed by this key; refusing to continue its chain (run audit verify --anchors)`,
      { file: last.name, key_id: key.keyId },
    );
  }
  return { seq: anchor.seq, prev: anchorDigest(anchor) };
}
