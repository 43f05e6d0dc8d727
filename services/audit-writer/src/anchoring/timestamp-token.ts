/**
 * RFC 3161 §2.4.2 TimeStampResp and its TimeStampToken (a CMS SignedData, RFC 5652 §5, over a TSTInfo):
 *   TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken ContentInfo OPTIONAL }
 *   PKIStatusInfo ::= SEQUENCE { status INTEGER (0 granted, 1 grantedWithMods, 2.. refused), statusString, failInfo }
 *   ContentInfo   ::= SEQUENCE { contentType id-signedData, content [0] EXPLICIT SignedData }
 *   SignedData    ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo SEQUENCE { id-ct-TSTInfo,
 *                     [0] EXPLICIT OCTET STRING (TSTInfo DER) }, certificates [0] IMPLICIT OPTIONAL,
 *                     crls [1] IMPLICIT OPTIONAL, signerInfos SET OF SignerInfo }
 *   SignerInfo    ::= SEQUENCE { version, sid, digestAlgorithm, signedAttrs [0] IMPLICIT, signatureAlgorithm,
 *                     signature OCTET STRING, unsignedAttrs [1] IMPLICIT OPTIONAL }
 *   TSTInfo       ::= SEQUENCE { version, policy, messageImprint, serialNumber, genTime GeneralizedTime,
 *                     accuracy OPTIONAL, ordering DEFAULT FALSE, nonce OPTIONAL, tsa [0] OPTIONAL, extensions [1] OPTIONAL }
 * Checking a token: the imprint is the one asked for; the signed attributes' messageDigest is the digest of the
 * TSTInfo; the signature over the signed attributes (re-tagged as SET, RFC 5652 §5.4) verifies with a
 * certificate in the token whose extended key usage is timeStamping (RFC 3161 §2.3); with trusted CA
 * certificates, that certificate is issued by one of them and valid at genTime.
 */
import { createHash, verify as verifySignature, X509Certificate } from 'node:crypto';
import { DicomtrailError } from '@dicomtrail/runtime';
import {
  children,
  context,
  expectTag,
  magnitudeHex,
  readGeneralizedTime,
  readIntegerHex,
  readOid,
  readOne,
  TAG,
  type Tlv,
} from './der.js';
import { OID_SHA256 } from './timestamp-request.js';

const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_TST_INFO = '1.2.840.113549.1.9.16.1.4';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const EKU_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const DIGESTS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  [OID_SHA256]: 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

export class TimestampError extends DicomtrailError {
  constructor(message: string, context: Record<string, unknown> = {}) {
    super('DT_ERR_TIMESTAMP', message, context);
  }
}

export interface TimestampInfo {
  genTime: Date;
  serial: string;
  policy: string;
  /** The TSA certificate's subject. */
  tsa: string;
  /** Whether the TSA certificate was checked against trusted CA certificates. */
  trusted: boolean;
}

/** The TimeStampToken of a TimeStampResp, or why the TSA refused. */
export function tokenOfResponse(resp: Buffer): Buffer {
  const [statusInfo, token] = children(readOne(resp, TAG.SEQUENCE, 'TimeStampResp'));
  const [status, ...detail] = children(expectTag(statusInfo, TAG.SEQUENCE, 'PKIStatusInfo'));
  const code = Number.parseInt(readIntegerHex(status, 'PKIStatus'), 16);
  if (code > 1 || !token) {
    const text = detail
      .filter((d) => d.tag === TAG.SEQUENCE)
      .flatMap((d) => children(d).map((s) => s.value.toString('utf8')))
      .join('; ');
    throw new TimestampError(`the TSA refused the request: status ${code}${text ? ` (${text})` : ''}`, {
      status: code,
    });
  }
  return Buffer.from(token.der);
}

interface ParsedToken {
  tstInfo: Buffer;
  certificates: X509Certificate[];
  signer: {
    serial: string | null;
    digest: string;
    signedAttrs: Tlv;
    signature: Buffer;
  };
}

function parseToken(token: Buffer): ParsedToken {
  const [contentType, content] = children(readOne(token, TAG.SEQUENCE, 'ContentInfo'));
  if (readOid(contentType, 'contentType') !== OID_SIGNED_DATA) {
    throw new TimestampError('the token is not a CMS SignedData');
  }
  const signedData = expectTag(
    children(expectTag(content, context(0), 'content'))[0],
    TAG.SEQUENCE,
    'SignedData',
  );
  const parts = children(signedData);
  const encap = children(expectTag(parts[2], TAG.SEQUENCE, 'encapContentInfo'));
  if (readOid(encap[0], 'eContentType') !== OID_TST_INFO)
    throw new TimestampError('the token does not hold a TSTInfo');
  const tstInfo = expectTag(
    children(expectTag(encap[1], context(0), 'eContent'))[0],
    TAG.OCTET_STRING,
    'eContent',
  );
  const certificates = parts
    .filter((p) => p.tag === context(0))
    .flatMap((p) => children(p).map((c) => new X509Certificate(c.der)));
  const signerInfos = parts.at(-1);
  const signerInfo = children(expectTag(signerInfos, TAG.SET, 'signerInfos'))[0];
  const si = children(expectTag(signerInfo, TAG.SEQUENCE, 'SignerInfo'));
  const sid = si[1];
  const serial = sid?.tag === TAG.SEQUENCE ? readIntegerHex(children(sid)[1], 'serialNumber') : null;
  const digestOid = readOid(
    children(expectTag(si[2], TAG.SEQUENCE, 'digestAlgorithm'))[0],
    'digestAlgorithm',
  );
  const digest = DIGESTS[digestOid];
  if (!digest) throw new TimestampError(`unsupported digest algorithm ${digestOid}`);
  const signedAttrs = expectTag(si[3], context(0), 'signedAttrs');
  const signature = expectTag(si[5], TAG.OCTET_STRING, 'signature').value;
  return { tstInfo: tstInfo.value, certificates, signer: { serial, digest, signedAttrs, signature } };
}

function signedAttribute(attrs: Tlv, type: string): Tlv | undefined {
  for (const attr of children(attrs)) {
    const [t, values] = children(attr);
    if (readOid(t, 'attrType') === type) return children(expectTag(values, TAG.SET, 'attrValues'))[0];
  }
  return undefined;
}

function checkSignature(p: ParsedToken): X509Certificate {
  const { signer } = p;
  if (
    readOid(signedAttribute(signer.signedAttrs, OID_CONTENT_TYPE), 'content-type attribute') !== OID_TST_INFO
  ) {
    throw new TimestampError('the signed content-type attribute is not id-ct-TSTInfo');
  }
  const digest = expectTag(
    signedAttribute(signer.signedAttrs, OID_MESSAGE_DIGEST),
    TAG.OCTET_STRING,
    'messageDigest',
  );
  if (!digest.value.equals(createHash(signer.digest).update(p.tstInfo).digest())) {
    throw new TimestampError('the signed messageDigest is not the digest of the TSTInfo');
  }
  // RFC 5652 §5.4: the signature covers the attributes' DER with the EXPLICIT SET OF tag.
  const signed = Buffer.from(signer.signedAttrs.der);
  signed[0] = TAG.SET;
  // Serials compared as numbers: hex without leading zero digits (X509Certificate and DER pad differently).
  const serial = (hex: string) => hex.toLowerCase().replace(/^0+/, '');
  const candidates = p.certificates.filter(
    (c) => signer.serial === null || serial(c.serialNumber) === serial(signer.serial),
  );
  const cert = candidates.find((c) => verifySignature(signer.digest, signed, c.publicKey, signer.signature));
  if (!cert) throw new TimestampError('the token signature does not verify with a certificate it carries');
  if (!(cert.keyUsage ?? []).includes(EKU_TIME_STAMPING)) {
    throw new TimestampError(`the signing certificate (${cert.subject}) is not a time-stamping certificate`);
  }
  return cert;
}

function checkTrust(cert: X509Certificate, trusted: readonly X509Certificate[], at: Date): void {
  if (at < new Date(cert.validFrom) || at > new Date(cert.validTo)) {
    throw new TimestampError(`the TSA certificate was not valid at ${at.toISOString()}`);
  }
  const issuer = trusted.find(
    (ca) => ca.fingerprint256 === cert.fingerprint256 || (cert.checkIssued(ca) && cert.verify(ca.publicKey)),
  );
  if (!issuer)
    throw new TimestampError(`the TSA certificate (${cert.subject}) is not issued by a trusted CA`);
}

/**
 * Checks a TimeStampToken over `imprint` (SHA-256) and returns its time; with `nonce`, the TSTInfo must echo it.
 */
export function checkTimestampToken(
  token: Buffer,
  imprint: Buffer,
  opts: { trusted?: readonly X509Certificate[]; nonce?: Buffer } = {},
): TimestampInfo {
  const parsed = parseToken(token);
  const cert = checkSignature(parsed);
  const info = children(readOne(parsed.tstInfo, TAG.SEQUENCE, 'TSTInfo'));
  const policy = readOid(info[1], 'policy');
  const [alg, hashed] = children(expectTag(info[2], TAG.SEQUENCE, 'messageImprint'));
  if (readOid(children(expectTag(alg, TAG.SEQUENCE, 'hashAlgorithm'))[0], 'hashAlgorithm') !== OID_SHA256) {
    throw new TimestampError('the token imprint is not SHA-256');
  }
  if (!expectTag(hashed, TAG.OCTET_STRING, 'hashedMessage').value.equals(imprint)) {
    throw new TimestampError('the token imprint does not match the anchor signature', {
      expected: imprint.toString('hex'),
      found: hashed!.value.toString('hex'),
    });
  }
  const serial = readIntegerHex(info[3], 'serialNumber');
  const genTime = readGeneralizedTime(info[4], 'genTime');
  if (opts.nonce) {
    const nonce = info.slice(5).find((t) => t.tag === TAG.INTEGER);
    if (!nonce || readIntegerHex(nonce, 'nonce') !== magnitudeHex(opts.nonce)) {
      throw new TimestampError('the token does not echo our nonce');
    }
  }
  if (opts.trusted && opts.trusted.length > 0) checkTrust(cert, opts.trusted, genTime);
  return { genTime, serial, policy, tsa: cert.subject, trusted: (opts.trusted?.length ?? 0) > 0 };
}

/** Every certificate of a PEM bundle. */
export function certificatesOfPem(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}
