import { type AccountingEntry, PURPOSE_NOT_STATED } from '../disclosure-accounting.js';
import { type Html, html, query } from '../html.js';
import type { Mask } from '../masking.js';
import type { PatientMatch } from '../queries/patient-report.js';

export type ReportForm = { patient_id?: string; name?: string; from?: string; to?: string };

export function reportForm(v: ReportForm): Html {
  return html`<form method="get" action="/reports/patient" class="filters">
  <label>Patient id <input name="patient_id" value="${v.patient_id ?? ''}"></label>
  <label>or name contains <input name="name" value="${v.name ?? ''}"></label>
  <label>From <input type="date" name="from" value="${v.from ?? ''}"></label>
  <label>To <input type="date" name="to" value="${v.to ?? ''}"></label>
  <button>Report</button></form>`;
}

export function patientMatchesPage(v: ReportForm, matches: PatientMatch[], mask: Mask): Html {
  return html`${reportForm(v)}<h2>Patients whose name contains “${v.name}”</h2>
${
  matches.length === 0
    ? html`<p class="empty">No patient of that name in the trail.</p>`
    : html`<table><tr><th>patient id</th><th>name</th><th>operations</th><th>last seen</th></tr>
${matches.map((m) => html`<tr><td><a href="/reports/patient${query({ patient_id: m.patient_id, from: v.from, to: v.to })}">${mask(m.patient_id, 'patient')}</a></td><td>${mask(m.patient_name, 'name')}</td><td>${m.operations}</td><td>${m.last_seen}</td></tr>`)}</table>`
}`;
}

export function patientReportPage(
  v: ReportForm,
  r: {
    patientId: string;
    patientName: string | null;
    entries: AccountingEntry[];
    truncated: boolean;
    ms: number;
  },
  mask: Mask,
  canPdf: boolean,
): Html {
  const q = query({ patient_id: v.patient_id, from: v.from, to: v.to });
  return html`${reportForm(v)}
<section class="report-head">
  <p>Patient <b class="patient-id">${mask(r.patientId, 'patient')}</b> ${r.patientName ? html`(<span class="patient-name">${mask(r.patientName, 'name')}</span>)` : ''}
  · period ${v.from || 'start'} to ${v.to || 'now'} · <b>${r.entries.length}</b> accesses and disclosures · ${r.ms.toFixed(0)} ms</p>
  <p><a class="button" href="/reports/patient.csv${q}">Export CSV</a> ${canPdf ? html`<a class="button" href="/reports/patient.pdf${q}">Export PDF for the patient</a>` : ''}</p>
  ${r.truncated ? html`<p class="error">More rows than one report holds: narrow the period.</p>` : ''}
</section>
<h2>Accounting of disclosures (45 CFR 164.528)</h2>
${
  r.entries.length === 0
    ? html`<p class="empty">No access to this patient's instances in this period.</p>`
    : html`<table class="accounting"><tr><th>date</th><th>operation</th><th>recipient</th><th>address</th><th>description</th><th>purpose</th><th>outcome</th></tr>
${r.entries.map(
  (
    e,
  ) => html`<tr class="${e.failed > 0 ? 'failure' : ''}"><td><a href="/associations/${e.association_id}">${e.date}</a></td><td>${e.operation}</td><td>${e.recipient}</td><td>${e.address}</td>
<td>${e.description}${e.accession_numbers.length > 0 ? html`; accession ${e.accession_numbers.map((a) => mask(a, 'accession')).join(', ')}` : ''}${e.studies.length > 0 ? html`<br><small>${e.studies.join(' ')}</small>` : ''}</td><td>${e.purpose === PURPOSE_NOT_STATED ? html`<i>${e.purpose}</i>` : e.purpose}</td><td>${e.outcome}</td></tr>`,
)}</table>`
}`;
}
