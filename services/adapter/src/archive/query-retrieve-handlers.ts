/**
 * The archive's default Query/Retrieve handlers (PS3.4 Annex C) for the Patient Root and Study Root
 * information models, in the bound-handler contracts of service-classes/query-retrieve.ts:
 * - C-FIND yields one pending result per match as the index walk finds it (FF01 when the identifier has
 *   keys the index cannot match, PS3.4 C.4.1.1.4), and 0xA900 when the Query/Retrieve Level is missing
 *   or not a level of the model;
 * - C-GET and C-MOVE yield the number of sub-operations, then each instance's file; C-MOVE first resolves
 *   the Move Destination from the configured table (unknown: 0xA801) and proposes one context per
 *   SOP class and stored transfer syntax.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  transferSyntax,
} from '../dataset/transfer-syntaxes.js';
import {
  PATIENT_ROOT_FIND,
  PATIENT_ROOT_GET,
  PATIENT_ROOT_MOVE,
  STUDY_ROOT_FIND,
  STUDY_ROOT_GET,
  STUDY_ROOT_MOVE,
} from '../dataset/uids.js';
import type { CGetYield, CMoveYield, FindResult, QueryRequest } from '../service-classes/query-retrieve.js';
import { type QueryLevel, queryLevel } from './attributes.js';
import type { InstanceIndex, StoredInstance } from './instance-index.js';
import type { MoveDestinations } from './move-destinations.js';

const PATIENT_ROOT_LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];
const STUDY_ROOT_LEVELS: readonly QueryLevel[] = ['STUDY', 'SERIES', 'IMAGE'];

/** The levels each Q/R SOP class allows. */
export const QR_MODELS: ReadonlyMap<string, readonly QueryLevel[]> = new Map([
  [PATIENT_ROOT_FIND, PATIENT_ROOT_LEVELS],
  [PATIENT_ROOT_GET, PATIENT_ROOT_LEVELS],
  [PATIENT_ROOT_MOVE, PATIENT_ROOT_LEVELS],
  [STUDY_ROOT_FIND, STUDY_ROOT_LEVELS],
  [STUDY_ROOT_GET, STUDY_ROOT_LEVELS],
  [STUDY_ROOT_MOVE, STUDY_ROOT_LEVELS],
]);

export const IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS = 0xa900;
export const SOP_CLASS_NOT_SUPPORTED = 0x0122;

export interface QueryRetrieveOptions {
  index: InstanceIndex;
  /** Our AE title, answered in Retrieve AE Title (0008,0054) when asked. */
  aeTitle: string;
  destinations: MoveDestinations;
}

export function sopClassOf(req: QueryRequest): string {
  return req.request.affectedSopClassUid ?? req.context.abstractSyntax;
}

/** The level of the request, or undefined when it is not one of the model's. */
function levelFor(req: QueryRequest): QueryLevel | undefined {
  const levels = QR_MODELS.get(sopClassOf(req));
  const level = queryLevel(req.identifier);
  return levels && level && levels.includes(level) ? level : undefined;
}

export function* findInIndex(opts: QueryRetrieveOptions, req: QueryRequest): Generator<FindResult> {
  const level = levelFor(req);
  if (!level) {
    yield [IDENTIFIER_DOES_NOT_MATCH_SOP_CLASS];
    return;
  }
  const pending = opts.index.unsupportedKeys(req.identifier).length > 0 ? 0xff01 : 0xff00;
  for (const identifier of opts.index.find(level, req.identifier, { retrieveAeTitle: opts.aeTitle }))
    yield [pending, identifier];
}

/** The instances to retrieve; throws DT_ERR_ARCHIVE_RETRIEVE_LEVEL (the service answers C-x11) without a valid level. */
function toRetrieve(opts: QueryRetrieveOptions, req: QueryRequest): StoredInstance[] {
  const level = levelFor(req);
  if (!level)
    throw new DicomtrailError(
      'DT_ERR_ARCHIVE_RETRIEVE_LEVEL',
      'identifier does not match SOP class: Query/Retrieve Level',
      { sop_class_uid: sopClassOf(req) },
    );
  return opts.index.retrieve(level, req.identifier);
}

export function* getFromIndex(opts: QueryRetrieveOptions, req: QueryRequest): Generator<CGetYield> {
  const instances = toRetrieve(opts, req);
  yield instances.length;
  for (const inst of instances) yield [0xff00, inst.path];
}

function isNative(ts: string): boolean {
  const t = transferSyntax(ts);
  return t !== undefined && !t.encapsulated;
}

/** One proposed context per SOP class and stored transfer syntax; native ones also offer the two LE syntaxes. */
export function contextsFor(
  instances: readonly StoredInstance[],
): { abstractSyntax: string; transferSyntaxes: string[] }[] {
  const out = new Map<string, { abstractSyntax: string; transferSyntaxes: string[] }>();
  for (const inst of instances) {
    const key = `${inst.sopClassUid}|${inst.transferSyntax}`;
    if (out.has(key)) continue;
    const syntaxes = isNative(inst.transferSyntax)
      ? [...new Set([inst.transferSyntax, EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN])]
      : [inst.transferSyntax];
    out.set(key, { abstractSyntax: inst.sopClassUid, transferSyntaxes: syntaxes });
  }
  return [...out.values()].slice(0, 128);
}

export function* moveFromIndex(
  opts: QueryRetrieveOptions,
  req: QueryRequest & { moveDestination: string },
): Generator<CMoveYield> {
  const dest = opts.destinations.get(req.moveDestination.trim());
  if (!dest) {
    yield null;
    return;
  }
  const instances = toRetrieve(opts, req);
  yield [dest.host, dest.port, { contexts: contextsFor(instances), ...(dest.tls ? { tls: dest.tls } : {}) }];
  yield instances.length;
  for (const inst of instances) yield [0xff00, inst.path];
}
