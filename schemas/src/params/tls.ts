// DICOM TLS (PS3.15 Annex B, BCP 195): the facts of a secured transport connection, and the connections this
// node refused at the TLS layer. None of these is a secret: certificates are public, and only their subject,
// issuer, serial and fingerprint are kept.
import { type Static, Type } from '@sinclair/typebox';
import { SocketAddress } from '../association.js';
import { Strict, Uint16 } from '../common.js';

/** A peer certificate, as an auditor identifies it. */
export const TlsCertificate = Strict(
  {
    /** RFC 4514 distinguished name, e.g. "CN=modality-01,O=Radiology". */
    subject: Type.String(),
    issuer: Type.String(),
    /** Upper-case hexadecimal, as OpenSSL prints it. */
    serial: Type.String(),
    /** SHA-256 of the DER certificate, colon-separated upper-case hex. */
    sha256: Type.String(),
    /** DNS and IP subject alternative names, in certificate order. */
    subject_alt_names: Type.Optional(Type.Array(Type.String())),
    valid_from: Type.Optional(Type.String()),
    valid_to: Type.Optional(Type.String()),
  },
  { $id: 'TlsCertificate' },
);
export type TlsCertificate = Static<typeof TlsCertificate>;

/** The TLS facts of one connection (on EVT_CONN_OPEN of an association that came or went over TLS). */
export const TlsFacts = Strict(
  {
    /** e.g. "TLSv1.3". */
    protocol: Type.String(),
    /** IANA/OpenSSL suite name, e.g. "TLS_AES_256_GCM_SHA384". */
    cipher: Type.String(),
    /** The peer's certificate, when it presented one. */
    peer_certificate: Type.Optional(TlsCertificate),
    /** Whether the peer's chain verified against the configured CAs. */
    peer_verified: Type.Boolean(),
    /** Why it did not verify (OpenSSL's code, e.g. "UNABLE_TO_GET_ISSUER_CERT_LOCALLY"). */
    verify_error: Type.Optional(Type.String()),
    /** The server name the client asked for (SNI), if any. */
    server_name: Type.Optional(Type.String()),
  },
  { $id: 'TlsFacts' },
);
export type TlsFacts = Static<typeof TlsFacts>;

export const TlsRefusalCause = Type.Union(
  [
    /** The handshake failed (protocol version, suites, a bad or missing client certificate, a timeout). */
    Type.Literal('handshake-failed'),
    /** A plaintext client spoke DICOM on a TLS-only port. */
    Type.Literal('plaintext-on-tls-port'),
    /** The peer's certificate verified but is not allowed (expired, revoked, not bound to any AE title). */
    Type.Literal('certificate-refused'),
  ],
  { $id: 'TlsRefusalCause' },
);

/** EVT_TLS_REFUSED (node-scoped: no association exists yet): a connection closed at the TLS layer. */
export const TlsRefusedParams = Strict({
  remote: SocketAddress,
  local: SocketAddress,
  cause: TlsRefusalCause,
  /** OpenSSL's reason in words, e.g. "unsupported protocol" or "peer did not return a certificate". */
  reason: Type.String(),
  /** What was learnt before the refusal, when the handshake got that far. */
  protocol: Type.Optional(Type.String()),
  peer_certificate: Type.Optional(TlsCertificate),
  /** The listener's port role: the TLS port or, for a proxy, the upstream leg (port is the upstream's). */
  leg: Type.Optional(
    Type.Union([Type.Literal('listener'), Type.Literal('upstream'), Type.Literal('move-destination')]),
  ),
  /** Port of the listener or upstream, repeated for easy grouping. */
  port: Type.Optional(Uint16),
});
