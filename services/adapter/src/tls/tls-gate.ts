/**
 * The TLS side of the DICOM listener: every accepted TCP connection passes through here before it becomes an
 * association. The first byte decides: a TLS record (0x16, a ClientHello) is handshaken with the BCP 195 profile
 * and, when client certificates are requested, the peer's chain checked against DICOM_TLS_CA; anything else
 * (0x01 is a plaintext A-ASSOCIATE-RQ) is closed. Each refusal is reported once (EVT_TLS_REFUSED: cause, OpenSSL's
 * reason, the peer's address and what was learnt of its certificate); nothing here throws out of the socket's
 * callbacks. A connection that closes before sending a byte (a port probe) is not an event.
 */
import type { Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket, type Server as TlsServer } from 'node:tls';
import type { Logger } from '@dicomtrail/runtime';
import type { TlsCertificate } from '@dicomtrail/schemas';
import { bcp195Options, type ListenerTls } from './tls-config.js';
import { certificateFacts, peerX509 } from './tls-facts.js';

/** The first byte of a TLS handshake record (RFC 8446 §5.1, content type 22). */
export const TLS_HANDSHAKE_RECORD = 0x16;
/** The first byte of an A-ASSOCIATE-RQ PDU (PS3.8 §9.3.2). */
const A_ASSOCIATE_RQ = 0x01;

export type TlsRefusalCause = 'handshake-failed' | 'plaintext-on-tls-port' | 'certificate-refused';

/** EVT_TLS_REFUSED's params (schemas/src/params/tls.ts). */
export interface TlsRefusal {
  remote: { address: string; port: number };
  local: { address: string; port: number };
  cause: TlsRefusalCause;
  reason: string;
  protocol?: string;
  peer_certificate?: TlsCertificate;
  leg?: 'listener' | 'upstream' | 'move-destination';
  port?: number;
}

export interface TlsGateOptions {
  tls: ListenerTls;
  /** Time a connection has to complete its handshake (the ARTIM timeout). */
  handshakeTimeoutMs: number;
  log: Logger;
  onRefused: (refusal: TlsRefusal) => void;
}

/** OpenSSL's certificate verification codes, in words (X509_verify_cert_error_string). */
const VERIFY_WORDS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_REVOKED: 'certificate revoked',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  INVALID_PURPOSE: 'unsupported certificate purpose',
};

export function verifyErrorWords(code: string): string {
  const words = VERIFY_WORDS[code];
  return words ? `${words} (${code})` : code;
}

/** Why a handshake failed, in OpenSSL's words (e.g. "unsupported protocol", "peer did not return a certificate"). */
function handshakeReason(err: unknown): string {
  const e = err as { reason?: string; code?: string; message?: string };
  if (e.reason) return e.reason;
  if (e.code === 'ECONNRESET') return 'the peer reset the connection during the handshake';
  return e.message ?? String(err);
}

interface Pending {
  secure(socket: TLSSocket): void;
  failed(err: Error): void;
}

const keyOf = (s: Socket): string => `${s.remoteAddress}|${s.remotePort}`;

export class TlsGate {
  readonly #opts: TlsGateOptions;
  /** Connections handed to the TLS server, by remote address and port, until their handshake ends. */
  readonly #pending = new Map<string, Pending>();
  #tlsServer: TlsServer | undefined;

  constructor(opts: TlsGateOptions) {
    this.#opts = opts;
  }

  get tls(): ListenerTls {
    return this.#opts.tls;
  }

  /** Handshakes `socket`; `proceed` gets the TLS socket once the peer is admitted. */
  accept(socket: Socket, proceed: (secure: TLSSocket) => void): void {
    const remote = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    const local = { address: socket.localAddress ?? '', port: socket.localPort ?? 0 };
    const key = keyOf(socket);
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      clearTimeout(timer);
      if (this.#pending.get(key) === pending) this.#pending.delete(key);
      return true;
    };
    const refuse = (
      cause: TlsRefusalCause,
      reason: string,
      extra: Pick<TlsRefusal, 'protocol' | 'peer_certificate'> = {},
      secure?: TLSSocket,
    ): void => {
      if (!finish()) return;
      this.#opts.log.warn({ remote, cause, reason }, 'DICOM TLS: connection refused');
      try {
        this.#opts.onRefused({ remote, local, cause, reason, ...extra, leg: 'listener', port: local.port });
      } catch (err) {
        this.#opts.log.error({ err }, 'DICOM TLS: recording a refusal failed');
      }
      secure?.destroy();
      socket.destroy();
    };
    const pending: Pending = {
      failed: (err) => refuse('handshake-failed', handshakeReason(err)),
      secure: (secure) => {
        try {
          this.#admit(secure, refuse, () => finish() && proceed(secure));
        } catch (err) {
          refuse(
            'handshake-failed',
            `the peer's certificate could not be read: ${(err as Error).message}`,
            {},
            secure,
          );
        }
      },
    };
    const timer = setTimeout(
      () => refuse('handshake-failed', `no TLS handshake within ${this.#opts.handshakeTimeoutMs} ms`),
      this.#opts.handshakeTimeoutMs,
    );
    timer.unref();
    socket.on('error', (err) =>
      this.#opts.log.debug({ remote, err: err.message }, 'DICOM TLS: socket error'),
    );
    // Closed before a byte (a port probe): not an event. Closed mid-handshake: a failed handshake.
    socket.once('close', () => {
      if (socket.bytesRead === 0) finish();
      else refuse('handshake-failed', 'the peer closed the connection during the handshake');
    });
    socket.once('data', (chunk: Buffer) => {
      socket.pause();
      if (chunk[0] !== TLS_HANDSHAKE_RECORD) {
        refuse(
          'plaintext-on-tls-port',
          chunk[0] === A_ASSOCIATE_RQ
            ? 'a plaintext A-ASSOCIATE-RQ arrived on the TLS port'
            : `first byte 0x${chunk[0]!.toString(16).padStart(2, '0')} is not a TLS handshake record`,
        );
        return;
      }
      socket.unshift(chunk);
      this.#pending.set(key, pending);
      this.#server().emit('connection', socket);
    });
  }

  /** After the handshake: the client certificate as DICOM_TLS_CLIENT_AUTH wants it, or a refusal. */
  #admit(
    secure: TLSSocket,
    refuse: (
      c: TlsRefusalCause,
      reason: string,
      extra: Pick<TlsRefusal, 'protocol' | 'peer_certificate'>,
      s: TLSSocket,
    ) => void,
    admitted: () => void,
  ): void {
    const x509 = peerX509(secure);
    const protocol = secure.getProtocol() ?? undefined;
    const learnt = {
      ...(protocol ? { protocol } : {}),
      ...(x509 ? { peer_certificate: certificateFacts(x509) } : {}),
    };
    const clientAuth = this.#opts.tls.clientAuth;
    if (clientAuth !== 'off' && x509 && !secure.authorized)
      refuse('handshake-failed', verifyErrorWords(String(secure.authorizationError)), learnt, secure);
    else if (clientAuth === 'require' && !x509)
      refuse('handshake-failed', 'peer did not return a certificate', learnt, secure);
    else admitted();
  }

  /** A TLS server that never listens: sniffed connections are handed to it (its documented 'connection' path). */
  #server(): TlsServer {
    if (this.#tlsServer) return this.#tlsServer;
    const { clientAuth, material } = this.#opts.tls;
    // Certificates are checked in `accept`, not by Node (rejectUnauthorized closes them without a word).
    const server = createTlsServer({
      ...bcp195Options(material),
      requestCert: clientAuth !== 'off',
      rejectUnauthorized: false,
    });
    server.on('secureConnection', (secure: TLSSocket) => this.#pending.get(keyOf(secure))?.secure(secure));
    server.on('tlsClientError', (err: Error, secure: TLSSocket) =>
      this.#pending.get(keyOf(secure))?.failed(err),
    );
    this.#tlsServer = server;
    return server;
  }
}
