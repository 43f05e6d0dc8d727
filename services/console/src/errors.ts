import { DicomtrailError } from '@dicomtrail/runtime';

/** A console request that cannot be served, with the HTTP status and a message fit to show the user. */
export class ConsoleError extends DicomtrailError {
  readonly status: number;
  constructor(
    code: string,
    status: number,
    message: string,
    context: Record<string, unknown> = {},
    cause?: unknown,
  ) {
    super(code, message, context, cause);
    this.status = status;
  }
}
