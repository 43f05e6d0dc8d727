import { sopClassLabel } from '@dicomtrail/trace-exporter';
import { associationSteps } from '../association-steps.js';
import { explainAssociation } from '../failure-explanation.js';
import { type Html, html, raw } from '../html.js';
import type { Mask } from '../masking.js';
import type { AssociationDetail, LinkedAssociation } from '../queries/association-detail.js';
import { sequenceDiagram } from '../sequence-diagram.js';

function linked(l: LinkedAssociation, why: string): Html {
  return html`<li>${why}: <a href="/associations/${l.association_id}">${l.calling_ae_title} → ${l.called_ae_title}</a>
   (${l.role}${l.node_mode === 'proxy' ? ', proxy' : ''}, ${l.remote_address}, ${l.outcome ?? 'open'}${l.parent_message_id ? `, for message ${l.parent_message_id}` : ''})</li>`;
}

function childWhy(d: AssociationDetail, c: LinkedAssociation): string {
  if (c.node_mode === 'proxy' && c.role === 'requestor')
    return 'Upstream leg (the proxy relayed this association to the PACS)';
  const move = d.operations.find((o) => o.message_id === c.parent_message_id && o.service === 'C-MOVE');
  return move ? `C-MOVE sub-association to ${move.move_destination ?? c.called_ae_title}` : 'Sub-association';
}

export function associationPage(d: AssociationDetail, traceUrl: string | undefined, mask: Mask): Html {
  const a = d.association;
  const local = `called ${a.called_ae_title} · this node${a.node_id ? ` (${a.node_id})` : ''}`;
  const remote = `${a.calling_ae_title} @ ${a.remote_address ?? '?'}`;
  const [requestor, acceptor] =
    a.role === 'requestor'
      ? [`${a.calling_ae_title} (this node)`, `${a.called_ae_title} @ ${a.remote_address ?? '?'}`]
      : [remote, local];
  const words = explainAssociation({ ...a, failed_operation_count: a.failed_operation_count });
  const links: Html[] = [];
  if (d.parent)
    links.push(
      linked(
        d.parent,
        a.node_mode === 'proxy' ? 'Downstream leg (the requestor this proxy served)' : 'Serves the C-MOVE of',
      ),
    );
  for (const c of d.children) links.push(linked(c, childWhy(d, c)));
  return html`<section class="assoc-head">
<p><b>${a.outcome ?? 'open'}</b> · ${a.role} · requested ${a.requested_at} · ended ${a.ended_at}
 · user identity ${a.user_identity ? html`<b>${a.user_identity}</b> (${a.user_identity_type})` : 'none'}
 · operations: ${a.operation_count} · instances stored: ${a.instances_stored}</p>
${traceUrl ? html`<p><a class="button" href="${traceUrl}" target="_blank" rel="noopener">Trace in Zipkin</a></p>` : ''}
</section>
${words.length > 0 ? html`<section class="explain"><h2>What went wrong</h2><ul>${words.map((w) => html`<li>${w}</li>`)}</ul></section>` : ''}
${links.length > 0 ? html`<h2>Linked associations</h2><ul class="links">${links}</ul>` : ''}
<h2>Sequence</h2>
${raw(sequenceDiagram(requestor, acceptor, associationSteps(d)))}
<h2>Presentation contexts</h2>
<table><tr><th>id</th><th>abstract syntax</th><th>result</th><th>transfer syntax</th></tr>
${[...(a.accepted_contexts ?? []), ...(a.rejected_contexts ?? [])].sort((x, y) => (x.id ?? 0) - (y.id ?? 0)).map((c) => html`<tr class="${c.result_name === 'acceptance' ? '' : 'failure'}"><td>${c.id}</td><td>${sopClassLabel(c.abstract_syntax)}</td><td>${c.result_name}</td><td>${'transfer_syntax' in c ? (c as { transfer_syntax?: string }).transfer_syntax : ''}</td></tr>`)}
${(a.accepted_contexts ?? []).length + (a.rejected_contexts ?? []).length === 0 ? html`<tr><td colspan="4">${(a.proposed_contexts ?? []).length} proposed, none answered</td></tr>` : ''}</table>
<h2>Operations</h2>
${
  d.operations.length === 0
    ? html`<p class="empty">No DIMSE operations.</p>`
    : html`<table><tr><th>#</th><th>operation</th><th>SOP class</th><th>patient</th><th>status</th><th>ms</th></tr>
${d.operations.map((o) => html`<tr class="${o.status_category ?? ''}"><td>${o.message_id}</td><td>${o.service}${o.move_destination ? ` → ${o.move_destination}` : ''}</td><td>${sopClassLabel(o.sop_class_uid ?? undefined)}</td><td>${mask(o.patient_id, 'patient')}</td><td>${o.status_category}${o.error_comment ? ` — ${o.error_comment}` : ''}</td><td>${o.duration_ms === null ? '' : o.duration_ms.toFixed(1)}</td></tr>`)}</table>`
}`;
}
