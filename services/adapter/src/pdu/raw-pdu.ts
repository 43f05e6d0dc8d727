/** A whole PDU as cut from the byte stream by PduFramer (pdu-framer.ts), not yet decoded. */
export interface RawPdu {
  type: number;
  /** The PDU-length field: bytes after the 6-byte header. */
  length: number;
  /** The whole PDU including its header. */
  bytes: Buffer;
}
