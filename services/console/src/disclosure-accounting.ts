/**
 * The patient access report's accounting (HIPAA 45 CFR 164.528(b)(2): date, recipient and address, description of
 * what was disclosed, purpose). Every DIMSE operation that touched the patient's instances is one report row;
 * rows of one association and one kind of operation become one accounting entry ("12 CT instances in 2 series
 * of 1 study, moved to WORKSTATION1"). Pure: rows in, entries out.
 */
import { modalityOf } from './modality.js';

export interface AccessRow {
  at: Date;
  association_id: string;
  parent_association_id: string | null;
  role: string | null;
  service: string;
  direction: string | null;
  sop_class_uid: string | null;
  sop_instance_uid: string | null;
  series_instance_uid: string | null;
  study_instance_uid: string | null;
  patient_id: string | null;
  patient_name: string | null;
  accession_number: string | null;
  move_destination: string | null;
  query_level: string | null;
  status_category: string | null;
  completed_suboperations: number | null;
  failed_suboperations: number | null;
  calling_ae_title: string | null;
  called_ae_title: string | null;
  remote_address: string | null;
  user_identity: string | null;
  proxied_to: string | null;
}

export interface AccountingEntry {
  date: Date;
  last: Date;
  operation: string;
  /** Who received or obtained the information: AE title, user identity, the PACS a proxy relayed to. */
  recipient: string;
  address: string;
  description: string;
  purpose: string;
  outcome: string;
  association_id: string;
  studies: string[];
  series: number;
  instances: number;
  modalities: string[];
  accession_numbers: string[];
  operations: number;
  failed: number;
}

/** DICOM carries no purpose of use: the report says so rather than guess. */
export const PURPOSE_NOT_STATED = 'not stated in the DICOM request';

function operationOf(r: AccessRow): string {
  if (r.service === 'C-STORE' && r.role === 'requestor' && r.parent_association_id)
    return `sent to ${r.called_ae_title ?? '?'} (C-MOVE sub-operation)`;
  if (r.service === 'C-STORE')
    return r.direction === 'sent' ? `sent to ${r.called_ae_title ?? '?'}` : 'stored';
  if (r.service === 'C-FIND') return 'queried';
  if (r.service === 'C-GET') return 'retrieved (C-GET)';
  if (r.service === 'C-MOVE') return `moved to ${r.move_destination ?? '?'}`;
  return r.service;
}

function recipientOf(r: AccessRow, operation: string): string {
  const ae = operation.startsWith('sent to')
    ? r.called_ae_title
    : operation.startsWith('moved to')
      ? r.move_destination
      : r.calling_ae_title;
  const parts = [ae ?? '?'];
  if (r.user_identity) parts.push(`user ${r.user_identity}`);
  if (operation.startsWith('moved to')) parts.push(`requested by ${r.calling_ae_title ?? '?'}`);
  if (r.proxied_to) parts.push(`via proxy to ${r.proxied_to}`);
  return parts.join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function describe(e: Omit<AccountingEntry, 'description'>, level: string | null): string {
  const what = e.modalities.length > 0 ? `${e.modalities.join('/')} ` : '';
  const studies = plural(e.studies.length, 'study').replace('studys', 'studies');
  if (e.operation === 'queried')
    return `query at ${level ?? '?'} level${e.studies.length > 0 ? ` naming ${studies}` : ''}`;
  const series = e.series > 0 ? ` in ${plural(e.series, 'series').replace('seriess', 'series')}` : '';
  return `${plural(e.instances, `${what}instance`)}${series} of ${studies}`;
}

export function accountingEntries(rows: readonly AccessRow[]): AccountingEntry[] {
  const groups = new Map<string, AccessRow[]>();
  for (const r of rows) {
    const key = `${r.association_id}|${operationOf(r)}`;
    const g = groups.get(key);
    if (g) g.push(r);
    else groups.set(key, [r]);
  }
  const entries: AccountingEntry[] = [];
  for (const g of groups.values()) {
    const first = g[0]!;
    const operation = operationOf(first);
    const instances = new Set(g.map((r) => r.sop_instance_uid).filter((x): x is string => !!x));
    const suboperations = g.reduce((n, r) => n + (r.completed_suboperations ?? 0), 0);
    const failed = g.filter((r) => r.status_category === 'failure').length;
    const subFailed = g.reduce((n, r) => n + (r.failed_suboperations ?? 0), 0);
    const base = {
      date: new Date(Math.min(...g.map((r) => r.at.getTime()))),
      last: new Date(Math.max(...g.map((r) => r.at.getTime()))),
      operation,
      recipient: recipientOf(first, operation),
      address: first.remote_address ?? '',
      purpose: PURPOSE_NOT_STATED,
      outcome:
        failed + subFailed === 0
          ? 'success'
          : `${failed + subFailed} failed of ${Math.max(g.length, suboperations + subFailed)}`,
      association_id: first.association_id,
      studies: [...new Set(g.map((r) => r.study_instance_uid).filter((x): x is string => !!x))],
      series: new Set(g.map((r) => r.series_instance_uid).filter((x): x is string => !!x)).size,
      instances: instances.size > 0 ? instances.size : suboperations,
      modalities: [...new Set(g.map((r) => modalityOf(r.sop_class_uid)).filter((x): x is string => !!x))],
      accession_numbers: [...new Set(g.map((r) => r.accession_number).filter((x): x is string => !!x))],
      operations: g.length,
      failed: failed + subFailed,
    };
    entries.push({ ...base, description: describe(base, first.query_level) });
  }
  return entries.sort((a, b) => a.date.getTime() - b.date.getTime());
}
