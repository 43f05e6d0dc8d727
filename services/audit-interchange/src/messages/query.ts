/**
 * 110112 Query (PS3.15 A.5.3.10): a C-FIND answered by this node (or relayed to the PACS). The query is a
 * participant object (type 2, role 24, ID type 110181 SOP Class UID = the information model) whose
 * ParticipantObjectQuery is the identifier as a DICOM data set in base64, with its transfer syntax as detail.
 * One message per patient (A.5.2): the patients the matches named, else the one the identifier asked for,
 * else a single message without a patient. Modality Worklist queries are Order Record messages (order-record.ts).
 */

import type { AssociationAudit, OperationEvent } from '../association-audit.js';
import type { AuditContext, AuditMessage, ParticipantObject } from '../audit-message.js';
import { EVENT, OBJECT_ID_TYPE, ROLE } from '../codes.js';
import { type DicomJson, encodeIdentifier, firstValue, isDicomJson, TAG } from '../dicom-json.js';
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

export const MODALITY_WORKLIST_FIND = '1.2.840.10008.5.1.4.31';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';

export function queryObject(op: OperationEvent): ParticipantObject {
  const p = op.params;
  const identifier = isDicomJson(p['identifier']) ? (p['identifier'] as DicomJson) : {};
  return {
    typeCode: 2,
    typeCodeRole: 24,
    idTypeCode: OBJECT_ID_TYPE.sopClassUid,
    id: String(p['affected_sop_class_uid'] ?? ''),
    query: encodeIdentifier(identifier).toString('base64'),
    details: [{ type: 'TransferSyntax', value: EXPLICIT_VR_LITTLE_ENDIAN }],
  };
}

/** The patients a C-FIND touched: from its matches, else from the identifier's Patient ID. */
export function queriedPatients(a: AssociationAudit, op: OperationEvent): Map<string, string> {
  const p = op.params;
  const found = a.findPatients.get(Number(p['message_id']));
  if (found && found.size > 0) return found;
  const identifier = isDicomJson(p['identifier']) ? (p['identifier'] as DicomJson) : undefined;
  const asked = firstValue(identifier, TAG.patientId);
  return asked && !/[*?\\]/.test(asked)
    ? new Map([[asked, firstValue(identifier, TAG.patientName)]])
    : new Map();
}

export function query(a: AssociationAudit, ctx: AuditContext): AuditMessage[] {
  if (!isAuditedLeg(a) || a.role !== 'acceptor') return [];
  const out: AuditMessage[] = [];
  for (const op of a.operations) {
    if (op.type !== 'EVT_C_FIND' || op.params['affected_sop_class_uid'] === MODALITY_WORKLIST_FIND) continue;
    const p = op.params;
    const status = typeof p['status'] === 'number' ? p['status'] : undefined;
    const outcome = outcomeOfStatus(status);
    const patients: [string, string][] = [...queriedPatients(a, op)];
    for (const [patientId, name] of patients.length > 0 ? patients : ([['', '']] as [string, string][]))
      out.push({
        id: stableMessageId(a.id, EVENT.query.code, Number(p['message_id']), patientId),
        eventId: EVENT.query,
        action: 'E',
        dateTime: op.timestamp,
        outcome,
        ...(outcome !== 0 ? { outcomeDescription: describeStatus(status, p['error_comment']) } : {}),
        eventTypes: [],
        participants: [requestorOf(a, [ROLE.source]), acceptorOf(a, [ROLE.destination]), ...proxyOf(a)],
        source: auditSource(ctx, a.node.id),
        objects: [queryObject(op), ...(patientId ? [patientObject(ctx, patientId, name)] : [])],
        trace: traceOf(a),
      });
  }
  return out;
}
