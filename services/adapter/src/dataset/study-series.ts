/**
 * Study and Series Instance UIDs (0020,000D) / (0020,000E) read straight from the start of a data set,
 * without a full parse: the storage layout needs only these two, per instance, on the hot path; the SOP
 * Instance UID (0008,0018) passed on the way is kept too (the archive compares it with the request's).
 * Walks elements in the given (uncompressed, non-deflated) transfer syntax and stops after group 0020.
 * Sequences of undefined length are skipped item by item. Returns undefined when it cannot decide
 * (deflated, truncated, nesting deeper than 16):
 * the caller then falls back to the full decoder.
 */
import { readingProperties } from './transfer-syntaxes.js';
import { LONG_LENGTH_VRS } from './value-representations.js';

export interface StudySeries {
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
}

export interface InstanceUids extends StudySeries {
  /** Set only when the data set has one before the Series Instance UID (it comes first in every valid one). */
  sopInstanceUid?: string;
}

function text(buf: Buffer, start: number, length: number): string {
  return buf.toString('latin1', start, start + length).replace(/[\0 ]+$/, '');
}

export function readStudySeries(buf: Buffer, transferSyntaxUid: string): StudySeries | undefined {
  return readUids(buf, transferSyntaxUid, false);
}

/** readStudySeries and the SOP Instance UID (0008,0018), in the same walk. */
export function readInstanceUids(buf: Buffer, transferSyntaxUid: string): InstanceUids | undefined {
  return readUids(buf, transferSyntaxUid, true);
}

function readUids(buf: Buffer, transferSyntaxUid: string, withSop: boolean): InstanceUids | undefined {
  const ts = readingProperties(transferSyntaxUid);
  if (ts.deflated) return undefined;
  const le = ts.littleEndian;
  const u16 = (o: number): number => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o: number): number => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));

  /** The element at `o`: tag, value offset, value length (0xFFFFFFFF = undefined). */
  const element = (
    o: number,
  ): { group: number; element: number; value: number; length: number } | undefined => {
    if (o + 8 > buf.length) return undefined;
    const group = u16(o);
    const el = u16(o + 2);
    // Item and delimitation tags (FFFE,xxxx) are always tag + 4-byte length, in every syntax.
    if (group === 0xfffe || !ts.explicitVr) return { group, element: el, value: o + 8, length: u32(o + 4) };
    const vr = buf.toString('latin1', o + 4, o + 6);
    if (LONG_LENGTH_VRS.has(vr)) {
      if (o + 12 > buf.length) return undefined;
      return { group, element: el, value: o + 12, length: u32(o + 8) };
    }
    return { group, element: el, value: o + 8, length: u16(o + 6) };
  };

  /** Skips an undefined-length value (sequence or item) starting at `o`; returns the offset after its delimiter. */
  const skipUndefined = (o: number, depth: number): number | undefined => {
    if (depth > 16) return undefined;
    let p = o;
    for (;;) {
      const e = element(p);
      if (!e) return undefined;
      if (e.group === 0xfffe && (e.element === 0xe0dd || e.element === 0xe00d)) return e.value;
      if (e.length === 0xffffffff) {
        const next = skipUndefined(e.value, depth + 1);
        if (next === undefined) return undefined;
        p = next;
      } else {
        p = e.value + e.length;
      }
    }
  };

  const out: InstanceUids = {};
  let o = 0;
  while (o + 8 <= buf.length) {
    const e = element(o);
    if (!e) return undefined;
    if (e.group > 0x0020) return out;
    if (e.length === 0xffffffff) {
      const next = skipUndefined(e.value, 0);
      if (next === undefined) return undefined;
      o = next;
      continue;
    }
    if (e.value + e.length > buf.length) return undefined;
    if (withSop && e.group === 0x0008 && e.element === 0x0018)
      out.sopInstanceUid = text(buf, e.value, e.length);
    if (e.group === 0x0020 && e.element === 0x000d) out.studyInstanceUid = text(buf, e.value, e.length);
    if (e.group === 0x0020 && e.element === 0x000e) {
      out.seriesInstanceUid = text(buf, e.value, e.length);
      return out;
    }
    o = e.value + e.length;
  }
  return out;
}
