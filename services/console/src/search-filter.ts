/**
 * The trail search's filter: query parameters in, a checked filter and its SQL WHERE clause (with numbered
 * parameters) out. Pure. Searches run over operations joined with their association (o, a); the period bounds
 * the operation's start.
 */
import { ConsoleError } from './errors.js';

export const OPERATIONS = [
  'C-STORE',
  'C-FIND',
  'C-MOVE',
  'C-GET',
  'C-ECHO',
  'N-ACTION',
  'N-EVENT-REPORT',
  'N-CREATE',
  'N-SET',
  'N-GET',
  'N-DELETE',
] as const;
export const STATUSES = ['success', 'warning', 'failure', 'cancel', 'pending'] as const;

export interface SearchFilter {
  patient?: string;
  study?: string;
  accession?: string;
  ae?: string;
  destination?: string;
  user?: string;
  address?: string;
  operation?: string;
  status?: string;
  from: Date;
  to: Date;
  page: number;
}

export const FILTER_FIELDS = [
  'patient',
  'study',
  'accession',
  'ae',
  'destination',
  'user',
  'address',
  'operation',
  'status',
] as const;

function text(q: Record<string, unknown>, k: string): string | undefined {
  const v = q[k];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

/** A date (YYYY-MM-DD, UTC midnight) or a full timestamp; `to` dates include that whole day. */
export function parseDay(v: string | undefined, end: boolean, fallback: Date): Date {
  if (!v) return fallback;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(v);
  const d = new Date(day ? `${v}T00:00:00Z` : v);
  if (Number.isNaN(d.getTime()))
    throw new ConsoleError('DT_ERR_CONSOLE_PERIOD', 400, `"${v}" is not a date (YYYY-MM-DD)`, { value: v });
  return day && end ? new Date(d.getTime() + 86_400_000) : d;
}

export function parseFilter(q: Record<string, unknown>, now: Date): SearchFilter {
  const f: SearchFilter = {
    from: parseDay(text(q, 'from'), false, new Date(now.getTime() - 30 * 86_400_000)),
    to: parseDay(text(q, 'to'), true, new Date(now.getTime() + 60_000)),
    page: Math.max(1, Math.min(100_000, Number.parseInt(text(q, 'page') ?? '1', 10) || 1)),
  };
  for (const k of FILTER_FIELDS) {
    const v = text(q, k);
    if (v !== undefined) f[k] = v;
  }
  if (f.operation && !(OPERATIONS as readonly string[]).includes(f.operation))
    throw new ConsoleError('DT_ERR_CONSOLE_FILTER', 400, `operation is one of ${OPERATIONS.join(', ')}`);
  if (f.status && !(STATUSES as readonly string[]).includes(f.status))
    throw new ConsoleError('DT_ERR_CONSOLE_FILTER', 400, `status is one of ${STATUSES.join(', ')}`);
  if (f.from >= f.to)
    throw new ConsoleError('DT_ERR_CONSOLE_PERIOD', 400, 'the period ends before it starts');
  return f;
}

export function whereClause(f: SearchFilter): { sql: string; params: unknown[] } {
  const params: unknown[] = [f.from, f.to];
  const conds = ['o.started_at >= $1', 'o.started_at < $2'];
  const add = (sql: (n: string) => string, v: unknown) => {
    params.push(v);
    conds.push(sql(`$${params.length}`));
  };
  if (f.patient) add((p) => `(o.patient_id = ${p} OR o.patient_name ILIKE '%' || ${p} || '%')`, f.patient);
  if (f.study) add((p) => `o.study_instance_uid = ${p}`, f.study);
  if (f.accession) add((p) => `o.accession_number = ${p}`, f.accession);
  // Calling or called AE title of the association (each has its own index); a C-MOVE's destination is its own filter.
  if (f.ae) add((p) => `(a.calling_ae_title = ${p} OR a.called_ae_title = ${p})`, f.ae);
  if (f.destination) add((p) => `o.move_destination = ${p}`, f.destination);
  if (f.user) add((p) => `a.user_identity = ${p}`, f.user);
  if (f.address) add((p) => `a.remote_address = ${p}`, f.address);
  if (f.operation) add((p) => `o.service = ${p}`, f.operation);
  if (f.status) add((p) => `o.status_category = ${p}`, f.status);
  return { sql: conds.join(' AND '), params };
}
