/**
 * Reads an anchor directory and checks the anchors themselves (pure but for the files): each file parses, is
 * format dicomtrail.anchor/1, has the seq its name says and the next one in turn (no anchor removed), links to
 * its predecessor (`prev`), names the trusted key and carries that key's valid signature; a timestamp token,
 * when present, is over that signature, valid (issued by a trusted CA when CA certificates are given) and
 * dated within MAX_TIMESTAMP_SKEW_MS of the anchor's created_at.
 * Silences longer than twice an anchor's interval are gaps: reported, since rows written in them rest on the
 * database alone until the next anchor.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import { type AnchorFile, anchorFiles } from './anchor-directory.js';
import { keyIdOf } from './anchor-key.js';
import {
  ANCHOR_FORMAT,
  type Anchor,
  anchorDigest,
  signatureVerifies,
  timestampImprint,
} from './anchor-record.js';
import { checkTimestampToken } from './timestamp-token.js';

/**
 * How far a token's genTime may lie from the anchor's created_at: the anchoring process asks the TSA right after
 * signing, so only the TSA's latency and clock skew separate them. Whoever holds the key but signs later (a
 * stolen key re-signing a rewritten history) cannot get an earlier genTime.
 */
export const MAX_TIMESTAMP_SKEW_MS = 5 * 60_000;

export interface ReadAnchor {
  anchor: Anchor;
  file: string;
  /** The anchor's time: the TSA's genTime when timestamped, else its own created_at. */
  time: Date;
  timestamped: boolean;
}

export interface AnchorGap {
  from: string;
  to: string;
  seconds: number;
  interval_ms: number;
}

export interface AnchorChainReport {
  count: number;
  timestamped: number;
  first?: string;
  last?: string;
  gaps: AnchorGap[];
  /** The first problem with the anchors themselves. */
  discrepancy?: string;
}

export const describeAnchor = (a: { anchor: Anchor; file: string }): string =>
  `anchor #${a.anchor.seq} (${a.file})`;

/** Checks the directory's anchors in seq order, handing each valid one to `visit` (none is kept). */
export function readAnchorChain(
  dir: string,
  publicKey: KeyObject,
  trusted: readonly X509Certificate[],
  visit: (a: ReadAnchor) => void,
): AnchorChainReport {
  const report: AnchorChainReport = { count: 0, timestamped: 0, gaps: [] };
  const keyId = keyIdOf(publicKey);
  let previous: ReadAnchor | undefined;
  for (const f of anchorFiles(dir)) {
    const checked = checkAnchorFile(f, previous, keyId, publicKey, trusted);
    if (typeof checked === 'string') return { ...report, discrepancy: `anchor file ${f.name}: ${checked}` };
    if (previous) {
      const ms = Date.parse(checked.anchor.created_at) - Date.parse(previous.anchor.created_at);
      if (ms > 2 * previous.anchor.interval_ms) {
        report.gaps.push({
          from: previous.anchor.created_at,
          to: checked.anchor.created_at,
          seconds: Math.round(ms / 1000),
          interval_ms: previous.anchor.interval_ms,
        });
      }
    }
    report.count += 1;
    if (checked.timestamped) report.timestamped += 1;
    report.first ??= checked.anchor.created_at;
    report.last = checked.anchor.created_at;
    visit(checked);
    previous = checked;
  }
  if (report.count === 0) return { ...report, discrepancy: `no anchors in ${dir}` };
  return report;
}

function checkAnchorFile(
  f: AnchorFile,
  previous: ReadAnchor | undefined,
  keyId: string,
  publicKey: KeyObject,
  trusted: readonly X509Certificate[],
): ReadAnchor | string {
  let anchor: Anchor;
  try {
    anchor = JSON.parse(f.text) as Anchor;
  } catch (err) {
    return `not JSON (${(err as Error).message})`;
  }
  if (anchor.format !== ANCHOR_FORMAT)
    return `format ${JSON.stringify(anchor.format)}, expected ${ANCHOR_FORMAT}`;
  if (anchor.seq !== f.seq) return `holds seq ${anchor.seq} under the name of seq ${f.seq}`;
  const expectedSeq = (previous?.anchor.seq ?? 0) + 1;
  if (anchor.seq !== expectedSeq) {
    return `seq ${anchor.seq} follows ${previous ? describeAnchor(previous) : 'nothing'}: anchor #${expectedSeq} is missing`;
  }
  const expectedPrev = previous ? anchorDigest(previous.anchor) : null;
  if (anchor.prev !== expectedPrev) {
    return `prev ${anchor.prev} is not the digest of the anchor before it (${expectedPrev})`;
  }
  if (anchor.key_id !== keyId) return `signed by key ${anchor.key_id}, not the trusted key ${keyId}`;
  if (typeof anchor.signature !== 'string' || !signatureVerifies(anchor, publicKey)) {
    return 'the signature does not verify: the file was changed after it was signed';
  }
  if (anchor.timestamp_token === undefined) {
    return { anchor, file: f.name, time: new Date(anchor.created_at), timestamped: false };
  }
  try {
    const info = checkTimestampToken(
      Buffer.from(anchor.timestamp_token, 'base64'),
      timestampImprint(anchor),
      {
        trusted,
      },
    );
    const skew = info.genTime.getTime() - Date.parse(anchor.created_at);
    if (Math.abs(skew) > MAX_TIMESTAMP_SKEW_MS) {
      return `timestamped ${info.genTime.toISOString()}, ${Math.round(skew / 1000)} s from its created_at ${anchor.created_at}: signed at another time than it claims`;
    }
    return { anchor, file: f.name, time: info.genTime, timestamped: true };
  } catch (err) {
    return `timestamp token: ${(err as Error).message}`;
  }
}
