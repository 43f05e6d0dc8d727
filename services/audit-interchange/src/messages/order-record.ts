/**
 * 110109 Order Record (PS3.15 A.5.3.7): orders read or changed over DICOM. A Modality Worklist C-FIND reads the
 * scheduled orders ('R', one message per patient its matches named); an MPPS N-CREATE creates a performed
 * step ('C'), an N-SET updates it ('U'). The patient is the participant object, with the MPPS instance UID
 * (the schema's MPPS element) for the procedure steps.
 */

import type { AssociationAudit } from '../association-audit.js';
import type { AuditContext, AuditMessage, ParticipantObject } from '../audit-message.js';
import { EVENT, ROLE } from '../codes.js';
import { type DicomJson, firstValue, isDicomJson, TAG } from '../dicom-json.js';
import { stableMessageId } from '../message-id.js';
import {
  acceptorOf,
  auditSource,
  describeStatus,
  isAuditedLeg,
  outcomeOfStatus,
  patientObject,
  proxyOf,
  requestorOf,
  traceOf,
} from './participants.js';
import { MODALITY_WORKLIST_FIND, queriedPatients, queryObject } from './query.js';

export const MPPS_SOP_CLASS = '1.2.840.10008.3.1.2.3.3';

export function orderRecord(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a) || a.role !== 'acceptor') return [];
  const out: AuditMessage[] = [];
  const participants = () => [
    requestorOf(a, [ROLE.source]),
    acceptorOf(a, [ROLE.destination]),
    ...proxyOf(a),
  ];
  /** MPPS instance UID -> patient, from its N-CREATE (an N-SET rarely repeats the patient). */
  const mppsPatients = new Map<string, [string, string]>();
  for (const op of a.operations) {
    const p = op.params;
    const status = typeof p['status'] === 'number' ? p['status'] : undefined;
    const outcome = outcomeOfStatus(status);
    const described = outcome !== 0 ? { outcomeDescription: describeStatus(status, p['error_comment']) } : {};
    const messageId = Number(p['message_id']);
    if (op.type === 'EVT_C_FIND' && p['affected_sop_class_uid'] === MODALITY_WORKLIST_FIND) {
      const patients: [string, string][] = [...queriedPatients(a, op)];
      for (const [patientId, name] of patients.length > 0 ? patients : ([['', '']] as [string, string][]))
        out.push({
          id: stableMessageId(a.id, EVENT.orderRecord.code, messageId, patientId),
          eventId: EVENT.orderRecord,
          action: 'R',
          dateTime: op.timestamp,
          outcome,
          ...described,
          eventTypes: [],
          participants: participants(),
          source: auditSource(ctx, a.node.id),
          objects: [...(patientId ? [patientObject(ctx, patientId, name)] : []), queryObject(op)],
          trace: traceOf(a),
        });
      continue;
    }
    const mppsOp =
      (op.type === 'EVT_N_CREATE' && p['affected_sop_class_uid'] === MPPS_SOP_CLASS) ||
      (op.type === 'EVT_N_SET' && p['requested_sop_class_uid'] === MPPS_SOP_CLASS);
    if (!mppsOp) continue;
    const create = op.type === 'EVT_N_CREATE';
    const uid = String((create ? p['affected_sop_instance_uid'] : p['requested_sop_instance_uid']) ?? '');
    const list = p[create ? 'attribute_list' : 'modification_list'];
    const ds = isDicomJson(list) ? (list as DicomJson) : undefined;
    const patientId = firstValue(ds, TAG.patientId) || mppsPatients.get(uid)?.[0] || '';
    const name = firstValue(ds, TAG.patientName) || mppsPatients.get(uid)?.[1] || '';
    if (create && patientId && outcome === 0) mppsPatients.set(uid, [patientId, name]);
    const patient: ParticipantObject = patientId
      ? patientObject(ctx, patientId, name)
      : patientObject(ctx, '(not in the MPPS message)');
    if (uid) patient.mpps = [uid];
    out.push({
      id: stableMessageId(a.id, EVENT.orderRecord.code, messageId, op.type, uid),
      eventId: EVENT.orderRecord,
      action: create ? 'C' : 'U',
      dateTime: op.timestamp,
      outcome,
      ...described,
      eventTypes: [],
      participants: participants(),
      source: auditSource(ctx, a.node.id),
      objects: [patient],
      trace: traceOf(a),
    });
  }
  return out;
}
