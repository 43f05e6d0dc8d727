/**
 * The Postgres login roles the services connect as (migration 0009), and the connection string of each when
 * none is configured: DATABASE_URL's server and database with the role as user and no password (local servers
 * trust 127.0.0.1; elsewhere set a password on the role and configure the URL).
 */
export const LOGIN_ROLES = {
  /** The audit writer: INSERT into the trail, its bookkeeping, the projections; chain heads via a function. */
  writer: 'dicomtrail_audit_writer',
  /** `dicomtrail-audit retention`: drops months older than the floor through audit.drop_event_partition. */
  retention: 'dicomtrail_retention',
  /** An auditor console: SELECT on the trail, projections, findings and views. */
  console: 'dicomtrail_console',
} as const;

export function loginUrl(databaseUrl: string, role: string): string {
  const u = new URL(databaseUrl);
  u.username = role;
  u.password = '';
  return u.toString();
}
