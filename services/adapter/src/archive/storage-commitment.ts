/**
 * Storage Commitment Push Model SOP class as SCP (PS3.4 Annex J). N-ACTION (Action Type ID 1, "Request
 * Storage Commitment") with a Transaction UID (0008,1195) and a Referenced SOP Sequence (0008,1199) is
 * accepted at once; the commitment is then decided against the index and reported with N-EVENT-REPORT
 * (J.3.3): Event Type ID 1 when every instance is committed, 2 when some failed, with the Referenced SOP
 * Sequence of the committed ones and a Failed SOP Sequence (0008,1198) of the rest, each with a Failure
 * Reason (0008,1197): 0x0112 (no such object instance: not in the store) or 0x0119 (class/instance conflict:
 * stored under another SOP class). The report goes on the requesting association while it is open,
 * otherwise on a new association to the requestor's AE title from the move destination table, on which
 * we propose the SCP role of the SOP class (J.3.3 role selection).
 */
import type { Logger } from '@dicomtrail/runtime';
import type { Association } from '../association/association.js';
import type { NegotiatedContext } from '../association/types.js';
import type { DicomJson } from '../dataset/dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from '../dataset/transfer-syntaxes.js';
import { STORAGE_COMMITMENT_PUSH } from '../dataset/uids.js';
import { buildNEventReportRq } from '../dimse/n-event-report.js';
import type { NServiceRequest, NServiceResult } from '../service-classes/n-services.js';
import type { InstanceIndex } from './instance-index.js';
import type { MoveDestinations } from './move-destinations.js';

/** The well-known SOP instance of the Storage Commitment Push Model (PS3.4 J.3.5). */
export const STORAGE_COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

const T = {
  TransactionUID: '00081195',
  ReferencedSOPSequence: '00081199',
  FailedSOPSequence: '00081198',
  FailureReason: '00081197',
  ReferencedSOPClassUID: '00081150',
  ReferencedSOPInstanceUID: '00081155',
  RetrieveAETitle: '00080054',
} as const;

export const FailureReason = { NoSuchObjectInstance: 0x0112, ClassInstanceConflict: 0x0119 } as const;

export interface StorageCommitmentOptions {
  index: InstanceIndex;
  aeTitle: string;
  destinations: MoveDestinations;
  log: Logger;
  /** Delay before the report is sent (a real archive commits asynchronously); default 0. */
  reportDelayMs?: number;
}

export interface CommitmentReport {
  eventTypeId: 1 | 2;
  eventInformation: DicomJson;
  committed: number;
  failed: number;
}

function str(ds: DicomJson | undefined, tag: string): string {
  const v = ds?.[tag]?.Value?.[0];
  return typeof v === 'string' ? v.trim() : '';
}

/** Decides a commitment request against the index (pure given the index). */
export function commitmentReport(
  index: InstanceIndex,
  transactionUid: string,
  references: readonly DicomJson[],
  aeTitle: string,
): CommitmentReport {
  const ok: DicomJson[] = [];
  const failed: DicomJson[] = [];
  for (const ref of references) {
    const sopClass = str(ref, T.ReferencedSOPClassUID);
    const sopInstance = str(ref, T.ReferencedSOPInstanceUID);
    const item: DicomJson = {
      [T.ReferencedSOPClassUID]: { vr: 'UI', Value: [sopClass] },
      [T.ReferencedSOPInstanceUID]: { vr: 'UI', Value: [sopInstance] },
    };
    const stored = index.get(sopInstance);
    if (stored && stored.sopClassUid === sopClass) ok.push(item);
    else {
      const reason = stored ? FailureReason.ClassInstanceConflict : FailureReason.NoSuchObjectInstance;
      failed.push({ ...item, [T.FailureReason]: { vr: 'US', Value: [reason] } });
    }
  }
  const info: DicomJson = { [T.TransactionUID]: { vr: 'UI', Value: [transactionUid] } };
  if (ok.length > 0) {
    info[T.RetrieveAETitle] = { vr: 'AE', Value: [aeTitle] };
    info[T.ReferencedSOPSequence] = { vr: 'SQ', Value: ok };
  }
  if (failed.length > 0) info[T.FailedSOPSequence] = { vr: 'SQ', Value: failed };
  return {
    eventTypeId: failed.length > 0 ? 2 : 1,
    eventInformation: info,
    committed: ok.length,
    failed: failed.length,
  };
}

async function reportOnNewAssociation(
  opts: StorageCommitmentOptions,
  assoc: Association,
  messageId: number | undefined,
  report: CommitmentReport,
): Promise<void> {
  const dest = opts.destinations.get(assoc.callingAeTitle);
  if (!dest) {
    opts.log.warn(
      { component: 'storage-commitment', association_id: assoc.id },
      'storage commitment report not sent: association closed and requestor AE not in ARCHIVE_MOVE_DESTINATIONS',
    );
    return;
  }
  const { associate } = await import('../association/client.js');
  const client = await associate({
    host: dest.host,
    port: dest.port,
    ...(dest.tls ? { tls: dest.tls } : {}),
    callingAeTitle: opts.aeTitle,
    calledAeTitle: assoc.callingAeTitle,
    contexts: [
      {
        abstractSyntax: STORAGE_COMMITMENT_PUSH,
        transferSyntaxes: [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN],
        scuRole: false,
        scpRole: true,
      },
    ],
    sinks: [...assoc.sinks],
    log: opts.log,
    parent: { association_id: assoc.id, ...(messageId !== undefined ? { message_id: messageId } : {}) },
  });
  try {
    await client.nEventReport(
      STORAGE_COMMITMENT_PUSH,
      STORAGE_COMMITMENT_INSTANCE,
      report.eventTypeId,
      report.eventInformation,
    );
  } finally {
    await client.release();
  }
}

async function sendReport(
  opts: StorageCommitmentOptions,
  assoc: Association,
  ctx: NegotiatedContext,
  messageId: number | undefined,
  report: CommitmentReport,
): Promise<void> {
  if (assoc.isEstablished) {
    const rq = buildNEventReportRq({
      messageId: assoc.dimse.nextMessageId(),
      affectedSopClassUid: STORAGE_COMMITMENT_PUSH,
      affectedSopInstanceUid: STORAGE_COMMITMENT_INSTANCE,
      eventTypeId: report.eventTypeId,
    });
    await assoc.dimse.request(ctx, rq, encodeDataset(report.eventInformation, ctx.transferSyntax));
    return;
  }
  await reportOnNewAssociation(opts, assoc, messageId, report);
}

/** The N-ACTION handler: validates, answers at once, reports after the response went out. */
export function requestCommitment(opts: StorageCommitmentOptions, req: NServiceRequest): NServiceResult {
  if (req.request.actionTypeId !== 1) return 0x0123; // No such action type
  const ds = req.datasetJson;
  const transactionUid = str(ds, T.TransactionUID);
  const refs = (ds?.[T.ReferencedSOPSequence]?.Value ?? []) as DicomJson[];
  if (!transactionUid || refs.length === 0)
    return { status: 0x0120, errorComment: 'Transaction UID and Referenced SOP Sequence required' };
  const assoc = req.association;
  const messageId = req.request.messageId;
  setTimeout(() => {
    const report = commitmentReport(opts.index, transactionUid, refs, opts.aeTitle);
    sendReport(opts, assoc, req.context, messageId, report).catch((err: unknown) =>
      opts.log.warn(
        { component: 'storage-commitment', association_id: assoc.id, err },
        'storage commitment report failed',
      ),
    );
  }, opts.reportDelayMs ?? 0);
  return [0x0000, null];
}
