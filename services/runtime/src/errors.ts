/**
 * The one error base of dicomtrail: a stable `code` (DT_ERR_*), a human message,
 * structured `context` for logs and events, and an optional `cause`.
 * Never throw a bare Error; never swallow one.
 */
export class DicomtrailError extends Error {
  readonly code: string;
  readonly context: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = new.target.name;
    this.code = code;
    this.context = context;
  }

  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message, context: this.context };
  }
}

/** Wraps anything thrown into a DicomtrailError, keeping the original as `cause`. */
export function asDicomtrailError(err: unknown, code = 'DT_ERR_UNEXPECTED'): DicomtrailError {
  if (err instanceof DicomtrailError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DicomtrailError(code, message, {}, err);
}
