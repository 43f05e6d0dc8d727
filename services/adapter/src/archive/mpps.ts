/**
 * Modality Performed Procedure Step SOP class as SCP (PS3.4 Annex F.7): N-CREATE opens a step, which
 * must be IN PROGRESS; N-SET updates it until it is COMPLETED or DISCONTINUED, after which it is final;
 * N-GET reads it. Each step is kept as DICOM JSON, in memory and as `<dir>/<SOP Instance UID>.json`
 * (rewritten on every change), so a restart keeps the steps. Statuses (PS3.4 F.7.2, PS3.7 C):
 *
 * | case                                             | status |
 * | ------------------------------------------------ | ------ |
 * | N-CREATE of an existing SOP instance             | 0x0111 Duplicate SOP instance |
 * | N-CREATE not IN PROGRESS, N-SET to another value | 0x0106 Invalid attribute value |
 * | N-SET / N-GET of an unknown SOP instance         | 0x0112 No such SOP instance |
 * | N-SET after COMPLETED or DISCONTINUED            | 0x0110 Processing failure ("may no longer be updated") |
 * | a SOP Instance UID that is not a UID             | 0x0117 Invalid object instance |
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DicomJson } from '../dataset/dicom-json.js';
import type { NServiceRequest, NServiceResult } from '../service-classes/n-services.js';

export const PPS_STATUS = '00400252';
const IN_PROGRESS = 'IN PROGRESS';
const FINAL = new Set(['COMPLETED', 'DISCONTINUED']);

export const MppsStatus = {
  Success: 0x0000,
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  NoSuchSopInstance: 0x0112,
  InvalidAttributeValue: 0x0106,
  InvalidObjectInstance: 0x0117,
} as const;

const UID = /^[0-9][0-9.]{0,63}$/;

/** A UID from a random UUID (PS3.5 §B.2: the 2.25 root). */
export function uuidUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString()}`;
}

function ppsStatus(ds: DicomJson | undefined): string | undefined {
  const v = ds?.[PPS_STATUS]?.Value?.[0];
  return typeof v === 'string' ? v.trim() : undefined;
}

function tagHex(tag: number): string {
  return tag.toString(16).toUpperCase().padStart(8, '0');
}

export class MppsStore {
  readonly dir: string;
  readonly #steps = new Map<string, DicomJson>();

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(dir, { recursive: true });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      this.#steps.set(name.slice(0, -5), JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as DicomJson);
    }
  }

  get(uid: string): DicomJson | undefined {
    return this.#steps.get(uid);
  }

  #save(uid: string, ds: DicomJson): void {
    this.#steps.set(uid, ds);
    const file = path.join(this.dir, `${uid}.json`);
    writeFileSync(`${file}.tmp`, JSON.stringify(ds));
    renameSync(`${file}.tmp`, file);
  }

  nCreate(req: NServiceRequest): NServiceResult {
    const given = req.request.affectedSopInstanceUid;
    const uid = given ?? uuidUid();
    if (!UID.test(uid)) return { status: MppsStatus.InvalidObjectInstance, errorComment: 'not a UID' };
    if (this.#steps.has(uid)) return MppsStatus.DuplicateSopInstance;
    const ds = req.datasetJson ?? {};
    if (ppsStatus(ds) !== IN_PROGRESS)
      return {
        status: MppsStatus.InvalidAttributeValue,
        errorComment: 'Performed Procedure Step Status must be IN PROGRESS',
      };
    this.#save(uid, ds);
    return [MppsStatus.Success, given ? ds : { ...ds, '00001000': { vr: 'UI', Value: [uid] } }];
  }

  nSet(req: NServiceRequest): NServiceResult {
    const uid = req.request.requestedSopInstanceUid ?? '';
    const current = this.#steps.get(uid);
    if (!current) return MppsStatus.NoSuchSopInstance;
    const status = ppsStatus(current);
    if (status && FINAL.has(status))
      return {
        status: MppsStatus.ProcessingFailure,
        errorComment: 'Performed Procedure Step Object may no longer be updated',
      };
    const mods = req.datasetJson ?? {};
    const next = ppsStatus(mods);
    if (next !== undefined && next !== IN_PROGRESS && !FINAL.has(next))
      return {
        status: MppsStatus.InvalidAttributeValue,
        errorComment: `Performed Procedure Step Status ${next}`,
      };
    this.#save(uid, { ...current, ...mods });
    return [MppsStatus.Success, null];
  }

  nGet(req: NServiceRequest): NServiceResult {
    const uid = req.request.requestedSopInstanceUid ?? '';
    const current = this.#steps.get(uid);
    if (!current) return MppsStatus.NoSuchSopInstance;
    const wanted = req.request.attributeIdentifierList ?? [];
    if (wanted.length === 0) return [MppsStatus.Success, current];
    const out: DicomJson = {};
    for (const t of wanted.map(tagHex)) if (current[t]) out[t] = current[t]!;
    return [MppsStatus.Success, out];
  }
}
