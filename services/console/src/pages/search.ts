import { sopClassLabel } from '@dicomtrail/trace-exporter';
import { type Html, html, query } from '../html.js';
import type { Mask } from '../masking.js';
import type { SearchResult } from '../queries/trail-search.js';
import { OPERATIONS, STATUSES } from '../search-filter.js';

export type FormValues = Record<string, string>;

function input(name: string, label: string, v: FormValues, type = 'text'): Html {
  return html`<label>${label} <input type="${type}" name="${name}" value="${v[name] ?? ''}"></label>`;
}

function select(name: string, label: string, options: readonly string[], v: FormValues): Html {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${options.map((o) => html`<option ${v[name] === o ? 'selected' : ''}>${o}</option>`)}</select></label>`;
}

export function searchForm(v: FormValues): Html {
  return html`<form method="get" action="/search" class="filters">
  ${input('patient', 'Patient id or name', v)} ${input('study', 'Study UID', v)} ${input('accession', 'Accession', v)}
  ${input('ae', 'AE title (calling or called)', v)} ${input('destination', 'Move destination', v)} ${input('user', 'User', v)} ${input('address', 'Address', v)}
  ${select('operation', 'Operation', OPERATIONS, v)} ${select('status', 'Status', STATUSES, v)}
  ${input('from', 'From', v, 'date')} ${input('to', 'To', v, 'date')}
  <button>Search</button></form>`;
}

export function searchPage(
  v: FormValues,
  r: SearchResult | undefined,
  page: number,
  pageSize: number,
  mask: Mask,
): Html {
  if (!r)
    return html`${searchForm(v)}<p class="hint">Filter by any field; the period defaults to the last 30 days.</p>`;
  const pages = Math.ceil(r.count / pageSize);
  const link = (p: number) => `/search${query({ ...v, page: p })}`;
  return html`${searchForm(v)}
<p class="count"><b>${r.capped ? `more than ${r.count.toLocaleString('en')}` : r.count.toLocaleString('en')}</b> operations${r.count > 0 ? html`, page ${page} of ${r.capped ? `${pages}+` : pages}` : ''}
 · <a href="/search.csv${query(v)}">CSV of this page</a></p>
<table class="results"><tr><th>when</th><th>operation</th><th>status</th><th>patient</th><th>name</th><th>study / accession</th><th>calling → called</th><th>user</th><th>address</th><th>ms</th></tr>
${r.rows.map(
  (
    row,
  ) => html`<tr class="${row.status_category ?? ''}"><td><a href="/associations/${row.association_id}">${row.started_at}</a></td>
<td>${row.service}${row.sop_class_uid ? html`<br><small>${sopClassLabel(row.sop_class_uid)}</small>` : ''}${row.move_destination ? html`<br><small>→ ${row.move_destination}</small>` : ''}</td>
<td>${row.status_category}</td><td>${mask(row.patient_id, 'patient')}</td><td>${mask(row.patient_name, 'name')}</td>
<td><small>${row.study_instance_uid}</small>${row.accession_number ? html`<br>${mask(row.accession_number, 'accession')}` : ''}</td>
<td>${row.calling_ae_title} → ${row.called_ae_title}</td><td>${row.user_identity}</td><td>${row.remote_address}</td><td>${row.duration_ms === null ? '' : row.duration_ms.toFixed(1)}</td></tr>`,
)}
</table>
<nav class="pages">${page > 1 ? html`<a href="${link(page - 1)}" rel="prev">← previous</a>` : ''} ${page < pages || r.capped ? html`<a href="${link(page + 1)}" rel="next">next →</a>` : ''}</nav>`;
}
