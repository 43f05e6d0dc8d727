/**
 * PduError: a decode/encode failure of the DICOM upper layer, carrying the abort to send.
 *
 * PS3.8 §9.3.8, Table 9-26 (A-ABORT PDU fields), Reason/Diag. when Source = 2 (service-provider, A-P-ABORT):
 *   0 reason-not-specified          1 unrecognized-PDU        2 unexpected-PDU
 *   4 unrecognized-PDU-parameter    5 unexpected-PDU-parameter 6 invalid-PDU-parameter-value
 * (3 is reserved.) `field` names the PDU field, `offset` is its byte offset from the start of the PDU
 * (the type byte), or -1 where there is none (encoding).
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import type { RawPdu } from './raw-pdu.js';

export type AbortReason = 0 | 1 | 2 | 4 | 5 | 6;

export const AbortReason = {
  REASON_NOT_SPECIFIED: 0,
  UNRECOGNIZED_PDU: 1,
  UNEXPECTED_PDU: 2,
  UNRECOGNIZED_PDU_PARAMETER: 4,
  UNEXPECTED_PDU_PARAMETER: 5,
  INVALID_PDU_PARAMETER_VALUE: 6,
} as const satisfies Record<string, AbortReason>;

/** Stable error codes and the abort reason each one implies. Data, not control flow (convention 4). */
export const PDU_ERROR_REASONS = {
  /** A fixed field runs past the end of its PDU or item. */
  DT_ERR_PDU_TRUNCATED: 6,
  /** An item or PDV length runs past the end of the enclosing PDU or item. */
  DT_ERR_PDU_LENGTH_OVERRUN: 6,
  /** Bytes left over after a fixed-size PDU/item, or after the PDU its length field announces. */
  DT_ERR_PDU_TRAILING_BYTES: 6,
  /** The PDU-type byte is not 0x01..0x07. */
  DT_ERR_PDU_UNKNOWN_TYPE: 1,
  /** An item type this PDU does not define (unknown user-information sub-items are kept instead). */
  DT_ERR_PDU_UNKNOWN_ITEM: 4,
  /** A known item in the wrong place, or repeated where only one is allowed. */
  DT_ERR_PDU_UNEXPECTED_ITEM: 5,
  /** A mandatory item is absent (application context, presentation context, transfer syntax, ...). */
  DT_ERR_PDU_MISSING_ITEM: 6,
  /** The PDU length is larger than the configured maximum; rejected before buffering. */
  DT_ERR_PDU_TOO_LARGE: 6,
  /** A field holds a value the standard does not allow (PDV length < 2, role not 0/1, ...). */
  DT_ERR_PDU_INVALID_VALUE: 6,
} as const satisfies Record<string, AbortReason>;

export type PduErrorCode = keyof typeof PDU_ERROR_REASONS;

export class PduError extends DicomtrailError {
  override readonly code: PduErrorCode;
  readonly field: string;
  readonly offset: number;
  /** The A-P-ABORT to send (PS3.8 Table 9-26): source 2 = service-provider. */
  readonly abort: { readonly source: 2; readonly reason: AbortReason };

  /**
   * From PduFramer only: the PDUs completed in the same push() before the bad one, in order, so the
   * caller can still hand them on (and record them) before aborting.
   */
  readonly completedPdus: readonly RawPdu[];
  /** The message without the field/offset suffix. */
  readonly detail: string;

  constructor(
    code: PduErrorCode,
    field: string,
    offset: number,
    message: string,
    cause?: unknown,
    completedPdus: readonly RawPdu[] = [],
  ) {
    const reason = PDU_ERROR_REASONS[code];
    super(code, `${message} (field ${field} at offset ${offset})`, { field, offset, reason }, cause);
    this.code = code;
    this.field = field;
    this.offset = offset;
    this.abort = { source: 2, reason };
    this.completedPdus = completedPdus;
    this.detail = message;
  }
}
