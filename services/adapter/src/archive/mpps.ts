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
 * | N-CREATE past `maxSteps`, a step past `maxStepBytes` | 0x0213 Resource limitation |
 *
 * Step files are 0600 in a 0700 folder. A step file that does not parse at start-up is moved to
 * `<dir>/quarantine/` and logged; the other steps load.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@dicomtrail/runtime';
import type { DicomJson } from '../dataset/dicom-json.js';
import { isUid } from '../dataset/uid-syntax.js';
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
  ResourceLimitation: 0x0213,
} as const;

export interface MppsStoreOptions {
  /** Where a quarantined step file is reported. */
  log?: Logger;
  /** Steps kept at most (default 10,000). */
  maxSteps?: number;
  /** Largest step as JSON text, in bytes (default 1 MiB). */
  maxStepBytes?: number;
}

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
  readonly #maxSteps: number;
  readonly #maxStepBytes: number;
  /** Step files moved to quarantine at start-up. */
  readonly quarantined: string[] = [];

  constructor(dir: string, opts: MppsStoreOptions = {}) {
    this.dir = dir;
    this.#maxSteps = opts.maxSteps ?? 10_000;
    this.#maxStepBytes = opts.maxStepBytes ?? 1024 * 1024;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const name of readdirSync(dir)) {
      if (!name.endsWith('.json')) continue;
      const uid = name.slice(0, -5);
      try {
        if (!isUid(uid)) throw new Error('file name is not a UID');
        const ds = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as unknown;
        if (typeof ds !== 'object' || ds === null || Array.isArray(ds))
          throw new Error('not a DICOM JSON object');
        this.#steps.set(uid, ds as DicomJson);
      } catch (err) {
        this.#quarantine(name, err, opts.log);
      }
    }
  }

  #quarantine(name: string, err: unknown, log: Logger | undefined): void {
    const dir = path.join(this.dir, 'quarantine');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    renameSync(path.join(this.dir, name), path.join(dir, name));
    this.quarantined.push(name);
    log?.error(
      { component: 'mpps', error: err instanceof Error ? err.message : String(err), quarantine: dir },
      'MPPS step file does not load; moved to quarantine',
    );
  }

  get(uid: string): DicomJson | undefined {
    return this.#steps.get(uid);
  }

  /** Saves the step; false (nothing saved) when it is larger than `maxStepBytes`. */
  #save(uid: string, ds: DicomJson): boolean {
    const text = JSON.stringify(ds);
    if (Buffer.byteLength(text) > this.#maxStepBytes) return false;
    this.#steps.set(uid, ds);
    const file = path.join(this.dir, `${uid}.json`);
    writeFileSync(`${file}.tmp`, text, { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
    return true;
  }

  #tooLarge(): NServiceResult {
    return {
      status: MppsStatus.ResourceLimitation,
      errorComment: `step larger than ${this.#maxStepBytes} bytes`,
    };
  }

  nCreate(req: NServiceRequest): NServiceResult {
    const given = req.request.affectedSopInstanceUid;
    const uid = given ?? uuidUid();
    if (!isUid(uid)) return { status: MppsStatus.InvalidObjectInstance, errorComment: 'not a UID' };
    if (this.#steps.has(uid)) return MppsStatus.DuplicateSopInstance;
    if (this.#steps.size >= this.#maxSteps)
      return { status: MppsStatus.ResourceLimitation, errorComment: `more than ${this.#maxSteps} steps` };
    const ds = req.datasetJson ?? {};
    if (ppsStatus(ds) !== IN_PROGRESS)
      return {
        status: MppsStatus.InvalidAttributeValue,
        errorComment: 'Performed Procedure Step Status must be IN PROGRESS',
      };
    if (!this.#save(uid, ds)) return this.#tooLarge();
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
    if (!this.#save(uid, { ...current, ...mods })) return this.#tooLarge();
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
