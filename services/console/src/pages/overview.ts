import { activityChart } from '../activity-chart.js';
import { type Html, html, raw } from '../html.js';
import type { Overview } from '../queries/overview.js';

function periodForm(from: string, to: string): Html {
  return html`<form method="get" action="/" class="filters">
  <label>From <input type="date" name="from" value="${from}"></label>
  <label>To <input type="date" name="to" value="${to}"></label><button>Show</button></form>`;
}

export function overviewPage(
  o: Overview,
  period: { from: Date; to: Date; fromText: string; toText: string },
): Html {
  const t = o.totals;
  const bucketMs = o.bucket === 'hour' ? 3_600_000 : 86_400_000;
  return html`${periodForm(period.fromText, period.toText)}
<section class="cards">
  <div class="card"><b>${t.associations}</b> associations</div>
  <div class="card"><b>${t.operations}</b> operations</div>
  <div class="card ${t.failed_operations > 0 ? 'bad' : ''}"><b>${t.failed_operations}</b> failed operations</div>
  <div class="card ${t.rejected > 0 ? 'bad' : ''}"><b>${t.rejected}</b> rejected</div>
  <div class="card ${t.aborted > 0 ? 'bad' : ''}"><b>${t.aborted}</b> aborted</div>
</section>
<h2>Activity per calling AE title (associations per ${o.bucket})</h2>
${raw(activityChart(o.activity, period.from, period.to, bucketMs))}
<h2>Failed operations</h2>
${
  o.failed.length === 0
    ? html`<p class="empty">None in this period.</p>`
    : html`<table><tr><th>when</th><th>operation</th><th>status</th><th>calling → called</th><th>address</th><th>comment</th></tr>
${o.failed.map((r) => html`<tr><td><a href="/associations/${String(r['association_id'])}">${r['started_at']}</a></td><td>${r['service']}</td><td>0x${String(r['status_hex']).toUpperCase()}</td><td>${r['calling_ae_title']} → ${r['called_ae_title']}</td><td>${r['remote_address']}</td><td>${r['error_comment']}</td></tr>`)}</table>`
}
<h2>Rejected and aborted associations</h2>
${
  o.refused.length === 0
    ? html`<p class="empty">None in this period.</p>`
    : html`<table><tr><th>when</th><th>outcome</th><th>calling → called</th><th>address</th><th>cause</th></tr>
${o.refused.map((r) => html`<tr class="${String(r['outcome'])}"><td><a href="/associations/${String(r['association_id'])}">${r['requested_at']}</a></td><td>${r['outcome']}</td><td>${r['calling_ae_title']} → ${r['called_ae_title']}</td><td>${r['remote_address']}</td><td>${r['cause_reason_name']}${r['cause_detail'] ? html` — ${r['cause_detail']}` : ''} (${r['cause_initiator']})</td></tr>`)}</table>`
}
<h2>Sequence-gap findings (events missing from an association)</h2>
${
  o.gaps.length === 0
    ? html`<p class="empty">No open findings: every association's events arrived without gaps.</p>`
    : html`<table><tr><th>association</th><th>missing seqs</th><th>detected</th><th>calling → called</th></tr>
${o.gaps.map((r) => html`<tr><td><a href="/associations/${String(r['association_id'])}">${String(r['association_id'])}</a></td><td>${r['expected_seq']} … ${Number(r['got_seq']) - 1} (${r['missing']})</td><td>${r['detected_at']}</td><td>${r['calling_ae_title']} → ${r['called_ae_title']}</td></tr>`)}</table>`
}
<h2>Chain status</h2>
${
  o.chains.length === 0
    ? html`<p class="empty">No hash chains yet.</p>`
    : html`<table><tr><th>chain</th><th>head position</th><th>updated</th><th>head row</th></tr>
${o.chains.map((c) => html`<tr><td>${c.chain_id}</td><td>${c.position}</td><td>${c.updated_at}</td><td class="${c.head_matches ? 'ok' : 'bad'}">${c.head_matches === null ? 'missing (rows removed?)' : c.head_matches ? 'present, hash matches' : 'HASH DIFFERS'}</td></tr>`)}</table>
<p class="hint">A full proof of every chain: <code>dicomtrail audit verify</code>.</p>`
}`;
}
