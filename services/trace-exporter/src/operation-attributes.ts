/**
 * `dicom.*` attributes of one DIMSE operation span, from its request, final response and intervention outcome.
 * Identifying values only when includePhi: PatientID, PatientName, AccessionNumber, the Study/Series/SOP Instance
 * UIDs (an instance UID names one patient's image as surely as a name does) and the error comment (free text from
 * a peer or a handler, which may quote any of them). SOP classes, statuses, counts and AE titles are not PHI.
 */
import type { OperationRecord } from './association-record.js';
import { OPERATION } from './attributes.js';
import { sopClassName } from './sop-class-names.js';
import type { Attributes } from './span-model.js';

type DicomJson = Record<string, { vr?: string; Value?: unknown[] }>;

const TAG = {
  PATIENT_ID: '00100020',
  PATIENT_NAME: '00100010',
  STUDY_INSTANCE_UID: '0020000D',
  SERIES_INSTANCE_UID: '0020000E',
  ACCESSION_NUMBER: '00080050',
  QUERY_RETRIEVE_LEVEL: '00080052',
} as const;

export function operationAttributes(op: OperationRecord, includePhi: boolean): Attributes {
  const rq = op.request ?? {};
  const rsp = op.response ?? {};
  const out = op.outcome ?? {};
  const a: Attributes = {
    [OPERATION.SERVICE]: op.service,
    [OPERATION.MESSAGE_ID]: op.messageId,
    [OPERATION.DIRECTION]: op.direction,
    [OPERATION.BYTES]: bytesOf(op),
    [OPERATION.RESPONSES]: op.responses,
  };
  const sopClass =
    rq.affected_sop_class_uid ?? rq.requested_sop_class_uid ?? str(out['affected_sop_class_uid']);
  if (sopClass) {
    a[OPERATION.SOP_CLASS_UID] = sopClass;
    const name = sopClassName(sopClass);
    if (name) a[OPERATION.SOP_CLASS_NAME] = name;
  }
  const instance =
    rq.affected_sop_instance_uid ?? rq.requested_sop_instance_uid ?? str(out['affected_sop_instance_uid']);
  if (instance && includePhi) a[OPERATION.SOP_INSTANCE_UID] = instance;
  if (rq.priority !== undefined) a[OPERATION.PRIORITY] = rq.priority;
  if (rq.move_destination) a[OPERATION.MOVE_DESTINATION] = rq.move_destination.trim();
  const context = out['context'] as { id: number; transfer_syntax: string } | undefined;
  if (context) {
    a[OPERATION.CONTEXT_ID] = context.id;
    a[OPERATION.TRANSFER_SYNTAX_UID] = context.transfer_syntax;
  }
  const status = rsp.status ?? num(out['status']);
  if (status !== undefined) {
    a[OPERATION.STATUS] = status;
    a[OPERATION.STATUS_HEX] = `0x${status.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  const category = rsp.status_category ?? str(out['status_category']);
  if (category) a[OPERATION.STATUS_CATEGORY] = category;
  const comment = rsp.error_comment ?? str(out['error_comment']);
  if (comment && includePhi) a[OPERATION.ERROR_COMMENT] = comment;
  if (out['cancelled'] === true) a[OPERATION.CANCELLED] = true;
  subOperations(a, rsp, out);
  const identifier = (out['identifier'] ?? out['dataset']) as DicomJson | undefined;
  if (identifier) datasetAttributes(a, identifier, includePhi);
  return a;
}

function bytesOf(op: OperationRecord): number {
  const stored = op.outcome?.['stored'] as { bytes?: number } | undefined;
  return Math.max(op.bytes, stored?.bytes ?? 0);
}

function subOperations(a: Attributes, rsp: Record<string, unknown>, out: Record<string, unknown>): void {
  const pairs: [string, string][] = [
    ['number_of_remaining_suboperations', OPERATION.SUB_REMAINING],
    ['number_of_completed_suboperations', OPERATION.SUB_COMPLETED],
    ['number_of_failed_suboperations', OPERATION.SUB_FAILED],
    ['number_of_warning_suboperations', OPERATION.SUB_WARNING],
  ];
  for (const [field, key] of pairs) {
    const v = num(rsp[field]) ?? num(out[field]);
    if (v !== undefined) a[key] = v;
  }
}

function datasetAttributes(a: Attributes, ds: DicomJson, includePhi: boolean): void {
  const level = first(ds[TAG.QUERY_RETRIEVE_LEVEL]);
  if (level) a[OPERATION.QUERY_RETRIEVE_LEVEL] = level;
  if (!includePhi) return;
  const pid = first(ds[TAG.PATIENT_ID]);
  if (pid) a[OPERATION.PATIENT_ID] = pid;
  const name = first(ds[TAG.PATIENT_NAME]);
  if (name) a[OPERATION.PATIENT_NAME] = name;
  const study = first(ds[TAG.STUDY_INSTANCE_UID]);
  if (study) a[OPERATION.STUDY_INSTANCE_UID] = study;
  const series = first(ds[TAG.SERIES_INSTANCE_UID]);
  if (series) a[OPERATION.SERIES_INSTANCE_UID] = series;
  const accession = first(ds[TAG.ACCESSION_NUMBER]);
  if (accession) a[OPERATION.ACCESSION_NUMBER] = accession;
}

/** The first value of an element as text (a person name's Alphabetic group). */
function first(el: { Value?: unknown[] } | undefined): string | undefined {
  const v = el?.Value?.[0];
  if (typeof v === 'string') return v.length > 0 ? v : undefined;
  if (typeof v === 'number') return String(v);
  if (v && typeof v === 'object' && 'Alphabetic' in v)
    return String((v as { Alphabetic: unknown }).Alphabetic);
  return undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}
