import type pg from 'pg';
export async function checkAuditQueries(_pool: pg.Pool): Promise<void> {}
