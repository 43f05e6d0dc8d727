/**
 * The TLS facts of a connection as events record them (schemas/src/params/tls.ts): protocol, suite, the peer's
 * certificate (subject, issuer, serial, SHA-256 fingerprint, subject alternative names, validity) and whether its
 * chain verified. Certificates are public: nothing here is a secret.
 */
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { TlsCertificate, TlsFacts } from '@dicomtrail/schemas';

/** Node prints a name one RDN per line in certificate order; RFC 4514 lists them the other way, comma-separated. */
export function rfc4514(name: string): string {
  return name
    .split('\n')
    .filter((rdn) => rdn.length > 0)
    .reverse()
    .join(',');
}

/** DNS names, IP addresses and URIs of a subjectAltName extension, as "DNS:x", "IP:x", "URI:x". */
export function subjectAltNames(x509: X509Certificate): string[] {
  const raw = x509.subjectAltName;
  if (!raw) return [];
  const out: string[] = [];
  for (const part of raw.split(/,\s*/)) {
    const colon = part.indexOf(':');
    if (colon < 0) continue;
    const kind = part.slice(0, colon);
    const value = part.slice(colon + 1).replace(/^"(.*)"$/, '$1');
    if (kind === 'DNS') out.push(`DNS:${value}`);
    else if (kind === 'IP Address') out.push(`IP:${value}`);
    else if (kind === 'URI') out.push(`URI:${value}`);
  }
  return out;
}

/** The subject's common name(s), for AE-title bindings. */
export function commonNames(x509: X509Certificate): string[] {
  const out: string[] = [];
  for (const rdn of x509.subject.split('\n')) if (rdn.startsWith('CN=')) out.push(rdn.slice(3));
  return out;
}

export function certificateFacts(x509: X509Certificate): TlsCertificate {
  const sans = subjectAltNames(x509);
  return {
    subject: rfc4514(x509.subject),
    issuer: rfc4514(x509.issuer),
    serial: x509.serialNumber.toUpperCase(),
    sha256: x509.fingerprint256,
    ...(sans.length > 0 ? { subject_alt_names: sans } : {}),
    valid_from: new Date(x509.validFrom).toISOString(),
    valid_to: new Date(x509.validTo).toISOString(),
  };
}

/** The peer's certificate of a TLS socket, when it presented one. */
export function peerX509(socket: TLSSocket): X509Certificate | undefined {
  try {
    return socket.getPeerX509Certificate();
  } catch {
    return undefined;
  }
}

/** The TLS facts of an established TLS connection. */
export function tlsFacts(socket: TLSSocket): TlsFacts {
  const x509 = peerX509(socket);
  const cipher = socket.getCipher();
  const verifyError = x509 && !socket.authorized ? socket.authorizationError : undefined;
  const servername = (socket as TLSSocket & { servername?: string | false }).servername;
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: cipher?.standardName ?? cipher?.name ?? 'unknown',
    ...(x509 ? { peer_certificate: certificateFacts(x509) } : {}),
    peer_verified: x509 !== undefined && socket.authorized,
    ...(verifyError ? { verify_error: String(verifyError) } : {}),
    ...(typeof servername === 'string' && servername.length > 0 ? { server_name: servername } : {}),
  };
}

/** EVT_CONN_OPEN's `tls` member for a socket: present only when the connection is TLS. */
export function connectionTls(socket: Socket): { tls?: TlsFacts } {
  return socket instanceof TLSSocket && socket.encrypted ? { tls: tlsFacts(socket) } : {};
}
