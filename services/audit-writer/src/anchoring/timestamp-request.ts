/**
 * RFC 3161 §2.4.1 TimeStampReq, DER:
 *   TimeStampReq ::= SEQUENCE {
 *     version         INTEGER { v1(1) },
 *     messageImprint  MessageImprint,            -- SEQUENCE { hashAlgorithm AlgorithmIdentifier, hashedMessage OCTET STRING }
 *     reqPolicy       TSAPolicyId      OPTIONAL, -- not sent: the TSA's default policy
 *     nonce           INTEGER          OPTIONAL, -- 64 random bits, echoed in TSTInfo
 *     certReq         BOOLEAN          DEFAULT FALSE,  -- TRUE: the token carries the TSA's certificate
 *     extensions      [0] IMPLICIT Extensions OPTIONAL }
 * The imprint is SHA-256 (AlgorithmIdentifier with NULL parameters, RFC 5754 §2 allows both; openssl sends NULL).
 */
import { boolean, nullValue, octetString, oid, sequence, smallInteger, unsignedInteger } from './der.js';

export const OID_SHA256 = '2.16.840.1.101.3.4.2.1';

export interface TimestampRequest {
  /** The SHA-256 digest to be timestamped. */
  imprint: Buffer;
  /** Big-endian nonce magnitude. */
  nonce: Buffer;
}

export function encodeTimestampRequest(req: TimestampRequest): Buffer {
  return sequence(
    smallInteger(1),
    sequence(sequence(oid(OID_SHA256), nullValue()), octetString(req.imprint)),
    unsignedInteger(req.nonce),
    boolean(true),
  );
}
