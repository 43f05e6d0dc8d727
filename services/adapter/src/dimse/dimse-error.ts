import { DicomtrailError } from '@dicomtrail/runtime';

/**
 * A DIMSE-level protocol violation or malformed command set (PS3.7 §9.3, PS3.8 §9.3.5).
 * The association layer turns it into an A-P-ABORT (PS3.8 Evt19); it never means a DIMSE status.
 */
export class DimseError extends DicomtrailError {}
