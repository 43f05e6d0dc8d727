/** Shared set-up for the query/retrieve and N-service tests: a test server that accepts those SOP classes. */
import { acceptAndRecord } from '../../src/acse/user-identity.js';
import {
  DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
  DICOMTRAIL_IMPLEMENTATION_VERSION,
} from '../../src/association/client.js';
import {
  STORAGE_SOP_CLASS_UIDS,
  STUDY_ROOT_FIND,
  STUDY_ROOT_GET,
  STUDY_ROOT_MOVE,
  VERIFICATION,
} from '../../src/dataset/uids.js';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../../src/service-classes/transfer-syntaxes.js';
import type { Envelope, TestServer } from './server.js';
import { startTestServer, waitFor } from './server.js';

export const QR_SOP_CLASSES = [STUDY_ROOT_FIND, STUDY_ROOT_GET, STUDY_ROOT_MOVE];

/** Our SCP accepting verification, storage, Study Root FIND/GET/MOVE and `extra` abstract syntaxes. */
export function startQrServer(extra: string[] = []): Promise<TestServer> {
  return startTestServer({
    policy: {
      aeTitle: 'DICOMTRAIL',
      requireCalledAeTitle: true,
      allowedCallingAeTitles: [],
      supported: qrSupported(extra),
      maxPduReceive: 65536,
      implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
      userIdentity: acceptAndRecord,
    },
  });
}

/** Abstract syntaxes for a server that serves query/retrieve besides verification and storage. */
export function qrSupported(extra: string[] = []) {
  return {
    abstractSyntaxes: new Set([VERIFICATION, ...STORAGE_SOP_CLASS_UIDS, ...QR_SOP_CLASSES, ...extra]),
    transferSyntaxes: SUPPORTED_TRANSFER_SYNTAXES,
  };
}

/** Waits for the first association not in `known` to end; returns its events in seq order. */
export async function endedAssociation(
  s: TestServer,
  known: Set<string>,
  timeoutMs = 15_000,
): Promise<Envelope[]> {
  await waitFor(
    () =>
      s.sink
        .associationIds()
        .some(
          (id) =>
            !known.has(id) &&
            s.sink.of(id).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1'),
        ),
    timeoutMs,
    'the association to end',
  );
  const id = s.sink
    .associationIds()
    .find(
      (x) =>
        !known.has(x) &&
        s.sink.of(x).some((e) => e.type === 'EVT_FSM_TRANSITION' && e.params['next_state'] === 'Sta1'),
    )!;
  return s.sink.of(id);
}

/** DIMSE_SENT events as "MESSAGE-TYPE status" strings (status in hex, when any). */
export function dimseSent(events: Envelope[]): string[] {
  return dimseMessages(events, 'EVT_DIMSE_SENT');
}

/** DIMSE_SENT or DIMSE_RECV events as "MESSAGE-TYPE status" strings (status in hex, when any). */
export function dimseMessages(events: Envelope[], type: 'EVT_DIMSE_SENT' | 'EVT_DIMSE_RECV'): string[] {
  return events
    .filter((e) => e.type === type)
    .map((e) => {
      const m = e.params['message'] as { message_type: string; command: { status?: number } };
      return m.command.status === undefined
        ? m.message_type
        : `${m.message_type} ${m.command.status.toString(16).padStart(4, '0').toUpperCase()}`;
    });
}
