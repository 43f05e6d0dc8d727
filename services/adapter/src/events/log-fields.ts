/**
 * What a log line says of an error met while serving a peer's request: its code (ENOSPC, DT_ERR_...) or
 * class name and the system call, never its message. The messages of file errors name the file, and
 * stored instances, MPPS steps and their folders are named by Study, Series and SOP Instance UIDs: PHI
 * that logs do not carry (the trail has the request and its status).
 */
export function errorFields(err: unknown): { error: string; syscall?: string } {
  const e = err as { code?: unknown; name?: unknown; syscall?: unknown } | null | undefined;
  const error = String(e?.code ?? e?.name ?? 'Error');
  return typeof e?.syscall === 'string' ? { error, syscall: e.syscall } : { error };
}
