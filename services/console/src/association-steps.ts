/**
 * The steps of an association's sequence diagram from what the trail holds about it: negotiation from the
 * projection, operations with their final status and duration, the end from the outcome and its cause.
 * Pure: the association's detail in, diagram steps out.
 */
import { sopClassLabel } from '@dicomtrail/trace-exporter';
import type { AssociationDetail, OperationRow } from './queries/association-detail.js';
import type { DiagramStep, Side } from './sequence-diagram.js';

const TONE = { success: 'ok', warning: 'warn', failure: 'fail', cancel: 'warn' } as const;

/** Which side sent a DIMSE request, from this node's role and the request's direction. */
function requestSide(role: string | null, direction: string | null): Side {
  const local: Side = role === 'requestor' ? 'requestor' : 'acceptor';
  const remote: Side = local === 'requestor' ? 'acceptor' : 'requestor';
  return direction === 'sent' ? local : remote;
}

function operationSteps(role: string | null, o: OperationRow): DiagramStep[] {
  const from = requestSide(role, o.direction);
  const to: Side = from === 'requestor' ? 'acceptor' : 'requestor';
  const what = o.sop_class_uid ? ` ${sopClassLabel(o.sop_class_uid)}` : '';
  const dest = o.move_destination ? ` → ${o.move_destination}` : '';
  const steps: DiagramStep[] = [
    {
      from,
      label: `${o.service}-RQ #${o.message_id}${what}${dest}`,
      ...(o.started_at ? { at: o.started_at } : {}),
    },
  ];
  if (o.status_category !== null || o.status !== null) {
    const hex = o.status === null ? '' : ` 0x${o.status.toString(16).toUpperCase().padStart(4, '0')}`;
    const subs =
      o.completed_suboperations !== null
        ? `, ${o.completed_suboperations} completed / ${o.failed_suboperations ?? 0} failed sub-operations`
        : '';
    steps.push({
      from: to,
      label: `${o.service}-RSP ${o.status_category ?? ''}${hex}`,
      note: `${o.duration_ms === null ? '' : `${o.duration_ms.toFixed(1)} ms`}${subs}${o.error_comment ? ` — ${o.error_comment}` : ''}`,
      tone: TONE[o.status_category as keyof typeof TONE] ?? 'plain',
      ...(o.ended_at ? { at: o.ended_at } : {}),
    });
  }
  return steps;
}

function endSide(role: string | null, initiator: string | null | undefined): Side {
  const local: Side = role === 'requestor' ? 'requestor' : 'acceptor';
  const remote: Side = local === 'requestor' ? 'acceptor' : 'requestor';
  if (initiator === 'local' || initiator === 'dul') return local;
  if (initiator === 'remote') return remote;
  return initiator === 'acceptor' ? 'acceptor' : 'requestor';
}

export function associationSteps(d: AssociationDetail): DiagramStep[] {
  const a = d.association;
  const proposed = a.proposed_contexts ?? [];
  const accepted = a.accepted_contexts ?? [];
  const rejected = a.rejected_contexts ?? [];
  const classes = [...new Set(proposed.map((c) => sopClassLabel(c.abstract_syntax)))];
  const steps: DiagramStep[] = [
    {
      from: 'requestor',
      label: `A-ASSOCIATE-RQ: ${proposed.length} presentation contexts`,
      note: classes.slice(0, 3).join(', ') + (classes.length > 3 ? ` and ${classes.length - 3} more` : ''),
      ...(a.requested_at ? { at: a.requested_at } : {}),
    },
  ];
  if (a.outcome === 'rejected') {
    steps.push({
      from: endSide(a.role, a.cause_initiator === 'local' ? 'local' : 'acceptor'),
      label: `A-ASSOCIATE-RJ: ${a.cause_result_name ?? ''}, ${a.cause_source_name ?? ''}`,
      note: a.cause_reason_name ?? '',
      tone: 'fail',
      ...(a.ended_at ? { at: a.ended_at } : {}),
    });
    return steps;
  }
  if (a.established_at || accepted.length > 0) {
    steps.push({
      from: 'acceptor',
      label: `A-ASSOCIATE-AC: ${accepted.length} accepted, ${rejected.length} rejected`,
      note:
        rejected.length > 0
          ? `rejected: ${[...new Set(rejected.map((c) => `${sopClassLabel(c.abstract_syntax)} (${c.result_name ?? '?'})`))].slice(0, 3).join(', ')}`
          : '',
      tone: rejected.length > 0 && accepted.length === 0 ? 'fail' : 'ok',
      ...(a.established_at ? { at: a.established_at } : {}),
    });
  }
  for (const o of d.operations) steps.push(...operationSteps(a.role, o));
  const released = d.events.find((e) => e.type === 'EVT_RELEASED');
  if (a.outcome === 'released') {
    const from = endSide(a.role, (released?.params['initiator'] as string | undefined) ?? 'remote');
    steps.push({ from, label: 'A-RELEASE-RQ', ...(a.ended_at ? { at: a.ended_at } : {}) });
    steps.push({ from: from === 'requestor' ? 'acceptor' : 'requestor', label: 'A-RELEASE-RP', tone: 'ok' });
  } else if (a.outcome === 'aborted') {
    steps.push({
      from: endSide(a.role, a.cause_initiator),
      label: `A-${a.cause_source_name === 'service-provider' ? 'P-' : ''}ABORT: ${a.cause_source_name ?? ''}`,
      note: [a.cause_reason_name, a.cause_detail].filter(Boolean).join(' — '),
      tone: 'fail',
      ...(a.ended_at ? { at: a.ended_at } : {}),
    });
  }
  return steps;
}
