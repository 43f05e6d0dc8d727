// EVT_AUDIT_LOG_USED: a read of the audit trail itself (DICOM PS3.15 A.5.3.2 "Audit Log Used", EventID 110101),
// recorded by the auditor console before it serves the page: who read (the console user and the browser's
// address), what they asked (the page and its query parameters, which may name a patient: the trail holds PHI
// already), and whether patient identifiers were shown or masked. Node-scoped: no association; `seq` counts per
// console node.
import { Type } from '@sinclair/typebox';
import { Count, Name, Strict } from '../common.js';

export const ConsoleUser = Strict({
  username: Name,
  /** auditor: sees patient identifiers; engineer: the same pages with them masked. */
  role: Type.Union([Type.Literal('auditor'), Type.Literal('engineer')]),
});

export const AuditLogQuery = Strict({
  /** What was read: overview, search, patient-report, patient-report.csv, patient-report.pdf, association, ... */
  page: Name,
  /** The query parameters as given (empty values left out). */
  parameters: Type.Record(Type.String(), Type.String()),
  /** The request path, e.g. /reports/patient.csv. */
  path: Type.String(),
});

export const AuditLogUsedParams = Strict({
  user: ConsoleUser,
  /** The address the request came from (the browser, or the proxy in front of the console). */
  client_address: Type.String(),
  query: AuditLogQuery,
  /** true: patient identifiers shown; false: masked (engineer). */
  phi_shown: Type.Boolean(),
  /** Rows the query had counted when the event was built, if known. */
  result_count: Type.Optional(Count),
});
