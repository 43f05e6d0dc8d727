/**
 * The instances an association moved, grouped the way PS3.15 A.5.2 wants the messages split: per study and per
 * outcome (the successes in one message, the failures in another). Three sources:
 *  - received: the C-STOREs the requestor sent to this node (or through the proxy to the PACS);
 *  - get: the C-STORE sub-operations of a C-GET, sent back to the requestor on the same association;
 *  - move: a C-MOVE's sub-operations to the move destination, split by their counts (in proxy mode the PACS
 *    opens the sub-association itself; in scp mode its C-STOREs, on a sub-association of their own, add the
 *    patient and the SOP classes moved).
 */

import type { AssociationAudit } from '../association-audit.js';
import type { Outcome } from '../audit-message.js';
import { type DicomJson, firstValue, isDicomJson, TAG } from '../dicom-json.js';
import { describeStatus, outcomeOfStatus, type StudyContent } from './participants.js';

export interface TransferGroup {
  source: 'received' | 'get' | 'move';
  studyUid: string;
  patientId: string;
  patientName: string;
  outcome: Outcome;
  firstAt: string;
  lastAt: string;
  instances: number;
  content: StudyContent;
  failures: string[];
  /** C-GET / C-MOVE: the operation's message id and, for a C-MOVE, its destination AE title. */
  messageId?: number;
  moveDestination?: string;
}

interface Transfer {
  source: TransferGroup['source'];
  at: string;
  studyUid: string;
  patientId: string;
  patientName: string;
  accession: string;
  sopClassUid: string;
  sopInstanceUid: string;
  status: number | undefined;
  comment?: unknown;
  messageId?: number;
}

function add(groups: Map<string, TransferGroup>, t: Transfer): void {
  const outcome = outcomeOfStatus(t.status);
  const key = `${t.source}\u0000${t.messageId ?? ''}\u0000${t.studyUid}\u0000${outcome}`;
  let g = groups.get(key);
  if (!g) {
    g = {
      source: t.source,
      studyUid: t.studyUid,
      patientId: t.patientId,
      patientName: t.patientName,
      outcome,
      firstAt: t.at,
      lastAt: t.at,
      instances: 0,
      content: { studyUid: t.studyUid, accessions: new Set(), sopClasses: new Map() },
      failures: [],
      ...(t.messageId !== undefined ? { messageId: t.messageId } : {}),
    };
    groups.set(key, g);
  }
  g.instances++;
  if (t.at < g.firstAt) g.firstAt = t.at;
  if (t.at > g.lastAt) g.lastAt = t.at;
  if (!g.patientId && t.patientId) {
    g.patientId = t.patientId;
    g.patientName = t.patientName;
  }
  if (t.accession) g.content.accessions.add(t.accession);
  const set = g.content.sopClasses.get(t.sopClassUid) ?? new Set<string>();
  set.add(t.sopInstanceUid);
  g.content.sopClasses.set(t.sopClassUid, set);
  if (outcome !== 0 && g.failures.length < 10)
    g.failures.push(`${t.sopInstanceUid}: ${describeStatus(t.status, t.comment)}`);
}

function moveGroups(a: AssociationAudit): TransferGroup[] {
  const out: TransferGroup[] = [];
  for (const op of a.operations) {
    if (op.type !== 'EVT_C_MOVE') continue;
    const p = op.params;
    const identifier = isDicomJson(p['identifier']) ? (p['identifier'] as DicomJson) : undefined;
    const studyUid = firstValue(identifier, TAG.studyInstanceUid);
    const completed = Number(p['number_of_completed_suboperations'] ?? 0);
    const warning = Number(p['number_of_warning_suboperations'] ?? 0);
    const failed = Number(p['number_of_failed_suboperations'] ?? 0);
    const failedUids = Array.isArray(p['failed_sop_instance_uids'])
      ? (p['failed_sop_instance_uids'] as string[])
      : [];
    const base = {
      source: 'move' as const,
      studyUid,
      patientId: firstValue(identifier, TAG.patientId),
      patientName: firstValue(identifier, TAG.patientName),
      firstAt: op.timestamp,
      lastAt: op.timestamp,
      messageId: Number(p['message_id']),
      moveDestination: String(p['move_destination'] ?? ''),
    };
    const content = (): StudyContent => ({ studyUid, accessions: new Set(), sopClasses: new Map() });
    // In scp mode the sub-association's C-STOREs (moveSubStores) name the patient and SOP classes moved.
    const moved = (a.moveSubStores?.get(base.messageId) ?? []).filter(
      (s) => (!studyUid || s.studyUid === studyUid) && outcomeOfStatus(s.status) === 0,
    );
    if (!base.patientId && moved[0])
      Object.assign(base, { patientId: moved[0].patientId, patientName: moved[0].patientName });
    if (completed + warning > 0) {
      const ok = content();
      for (const s of moved) {
        if (s.accession) ok.accessions.add(s.accession);
        const set = ok.sopClasses.get(s.sopClassUid) ?? new Set<string>();
        set.add(s.sopInstanceUid);
        ok.sopClasses.set(s.sopClassUid, set);
      }
      out.push({ ...base, outcome: 0, instances: completed + warning, content: ok, failures: [] });
    }
    if (failed > 0) {
      const failures = [
        `${failed} of ${completed + warning + failed} sub-operations failed; ${describeStatus(Number(p['status']), p['error_comment'])}`,
        ...failedUids.slice(0, 10).map((uid) => `${uid}: failed`),
      ];
      out.push({ ...base, outcome: 4, instances: failed, content: content(), failures });
    }
  }
  return out;
}

export function transferGroups(a: AssociationAudit): TransferGroup[] {
  if (a.role !== 'acceptor') return [];
  const groups = new Map<string, TransferGroup>();
  for (const op of a.operations) {
    if (op.type !== 'EVT_C_STORE') continue;
    const p = op.params;
    const ds = isDicomJson(p['dataset']) ? (p['dataset'] as DicomJson) : undefined;
    add(groups, {
      source: 'received',
      at: op.timestamp,
      studyUid: firstValue(ds, TAG.studyInstanceUid),
      patientId: firstValue(ds, TAG.patientId),
      patientName: firstValue(ds, TAG.patientName),
      accession: firstValue(ds, TAG.accessionNumber),
      sopClassUid: String(p['affected_sop_class_uid'] ?? ''),
      sopInstanceUid: String(p['affected_sop_instance_uid'] ?? ''),
      status: typeof p['status'] === 'number' ? p['status'] : undefined,
      comment: p['error_comment'],
    });
  }
  const gets = a.operations.filter((op) => op.type === 'EVT_C_GET');
  for (const s of a.sentStores) {
    // The C-GET a sub-operation serves: the first one to complete after it (EVT_C_GET marks the completion).
    const get = gets.find((g) => g.timestamp >= s.timestamp) ?? gets[gets.length - 1];
    add(groups, {
      source: 'get',
      at: s.timestamp,
      studyUid: s.studyUid,
      patientId: s.patientId,
      patientName: s.patientName,
      accession: s.accession,
      sopClassUid: s.sopClassUid,
      sopInstanceUid: s.sopInstanceUid,
      status: s.status,
      ...(get ? { messageId: Number(get.params['message_id']) } : {}),
    });
  }
  return [...groups.values(), ...moveGroups(a)];
}
