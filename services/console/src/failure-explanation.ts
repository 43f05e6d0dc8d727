/**
 * A failed association explained in words, from its projection row (outcome and decoded cause, PS3.8 Tables
 * 9-21 and 9-26) and its presentation contexts: "the called AE title X is not this node's", "no presentation
 * context for CT Image Storage was accepted". Pure: the row in, sentences out.
 */
import { sopClassLabel } from '@dicomtrail/trace-exporter';

export interface ContextResult {
  id?: number;
  abstract_syntax?: string;
  result_name?: string;
}

export interface AssociationOutcome {
  outcome: string | null;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  cause_result_name: string | null;
  cause_source_name: string | null;
  cause_reason_name: string | null;
  cause_initiator: string | null;
  cause_detail: string | null;
  accepted_contexts: ContextResult[] | null;
  rejected_contexts: ContextResult[] | null;
  failed_operation_count: number;
}

const REJECT_WORDS: Record<string, (a: AssociationOutcome) => string> = {
  'called-ae-title-not-recognized': (a) => `the called AE title ${q(a.called_ae_title)} is not this node's`,
  'calling-ae-title-not-recognized': (a) =>
    `the calling AE title ${q(a.calling_ae_title)} is not one this node accepts associations from`,
  'application-context-name-not-supported': () =>
    'the requestor asked for an application context other than DICOM',
  'protocol-version-not-supported': () =>
    'the requestor speaks a DICOM upper layer protocol version this node does not',
  'temporary-congestion': () => 'the node was congested and asked the requestor to try again later',
  'local-limit-exceeded': () =>
    'a local limit was exceeded (for example the audit spool was full under fail-closed)',
  'no-reason-given': () => 'the association was refused without a stated reason',
};

const ABORT_WORDS: Record<string, string> = {
  'unrecognized-pdu': 'a PDU of an unknown type was received',
  'unexpected-pdu': 'a PDU arrived that the protocol does not allow at that point',
  'unrecognized-pdu-parameter': 'a PDU carried a parameter of an unknown type',
  'unexpected-pdu-parameter': 'a PDU carried a parameter not allowed there',
  'invalid-pdu-parameter-value': 'a PDU carried an invalid parameter value',
  'reason-not-specified': 'no reason was given',
};

const q = (s: string | null) => `"${s ?? ''}"`;

function who(initiator: string | null): string {
  if (initiator === 'local' || initiator === 'acceptor') return 'this node';
  if (initiator === 'remote' || initiator === 'requestor') return 'the peer';
  if (initiator === 'dul') return "this node's upper layer";
  return 'one side';
}

/** Abstract syntaxes proposed but accepted on no context. */
function refusedClasses(a: AssociationOutcome): string[] {
  const accepted = new Set((a.accepted_contexts ?? []).map((c) => c.abstract_syntax));
  const refused = new Map<string, string>();
  for (const c of a.rejected_contexts ?? []) {
    if (c.abstract_syntax && !accepted.has(c.abstract_syntax))
      refused.set(c.abstract_syntax, (c.result_name ?? '').replaceAll('-', ' '));
  }
  return [...refused].map(
    ([uid, why]) => `no presentation context for ${sopClassLabel(uid)} was accepted${why ? ` (${why})` : ''}`,
  );
}

export function explainAssociation(a: AssociationOutcome): string[] {
  const out: string[] = [];
  if (a.outcome === 'rejected') {
    const words =
      REJECT_WORDS[a.cause_reason_name ?? '']?.(a) ??
      `the association was rejected (${a.cause_reason_name ?? 'cause not recorded'})`;
    const transient =
      a.cause_result_name === 'rejected-transient' ? ' (transient: retrying later may succeed)' : '';
    out.push(`Rejected by ${who(a.cause_initiator)}: ${words}${transient}.`);
  } else if (a.outcome === 'aborted') {
    const reason =
      a.cause_source_name === 'service-provider'
        ? (ABORT_WORDS[a.cause_reason_name ?? ''] ?? a.cause_reason_name ?? 'no reason recorded')
        : 'the service user aborted it';
    out.push(
      `Aborted by ${who(a.cause_initiator)}: ${reason}${a.cause_detail ? ` (${a.cause_detail})` : ''}.`,
    );
  }
  for (const s of refusedClasses(a)) out.push(`${s[0]!.toUpperCase()}${s.slice(1)}.`);
  if (a.failed_operation_count > 0)
    out.push(
      `${a.failed_operation_count} operation${a.failed_operation_count === 1 ? '' : 's'} ended with a failure status.`,
    );
  return out;
}
