/**
 * Our TLS legs as a requestor: the proxy's upstream per route, C-MOVE destinations and storage commitment reports
 * (ARCHIVE_MOVE_DESTINATIONS), and the SCU. An address written `tls://[AE@]host:port` is reached over TLS with the
 * BCP 195 profile, verifying the peer's chain and its name (a SAN for the host, or `servername`); optional query
 * parameters name the files of this leg:
 *
 *     tls://PACS@10.0.0.9:2762?ca=/etc/dicomtrail/pacs-ca.pem&cert=/etc/dicomtrail/proxy.pem&key=/etc/dicomtrail/proxy.key&servername=pacs.example
 *
 * Without them the leg trusts DICOM_TLS_CA and presents DICOM_TLS_CERT / DICOM_TLS_KEY (when set). Files are read
 * when the configuration is loaded; a key must be 0600 or stricter.
 */
import { connect, type SecureContext, type TLSSocket } from 'node:tls';
import { DicomtrailError, readKeyFile, readPublicFile } from '@dicomtrail/runtime';
import { bcp195Context, type TlsMaterial, tlsErrorWords } from './tls-config.js';
import { certificateFacts, peerX509 } from './tls-facts.js';
import { type TlsRefusal, verifyErrorWords } from './tls-gate.js';

export interface OutboundTls {
  /** Files named on the address (else the defaults). */
  files: { ca?: string; cert?: string; key?: string };
  /** The name the peer's certificate must carry (default: the host). */
  servername?: string;
  /** Set by `loadOutboundTls` at start-up. */
  context?: SecureContext;
  /** Which leg this is, for EVT_TLS_REFUSED. */
  leg?: 'upstream' | 'move-destination';
  /** Told of a handshake that failed after the TCP connection opened (EVT_TLS_REFUSED). */
  onRefused?: (refusal: TlsRefusal) => void;
}

const PARAMS = new Set(['ca', 'cert', 'key', 'servername']);

function tlsAddressError(label: string, why: string): DicomtrailError {
  return new DicomtrailError('DT_ERR_CONFIG_TLS_ADDRESS', `"${label}": ${why}`, { spec: label });
}

/** Splits `tls://REST?query` into REST and its TLS options; anything else comes back as it is. */
export function splitTlsAddress(text: string, label = text): { address: string; tls?: OutboundTls } {
  const t = text.trim();
  if (!/^tls:\/\//i.test(t)) return { address: t };
  const rest = t.slice('tls://'.length);
  const q = rest.indexOf('?');
  const address = q >= 0 ? rest.slice(0, q) : rest;
  const tls: OutboundTls = { files: {} };
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(rest.slice(q + 1))) {
      if (!PARAMS.has(k))
        throw tlsAddressError(label, `unknown TLS parameter "${k}" (ca, cert, key, servername)`);
      if (v.length === 0) throw tlsAddressError(label, `empty ${k}`);
      if (k === 'servername') tls.servername = v;
      else tls.files[k as 'ca' | 'cert' | 'key'] = v;
    }
  }
  if ((tls.files.cert === undefined) !== (tls.files.key === undefined))
    throw tlsAddressError(label, 'cert and key go together');
  return { address, tls };
}

/**
 * Reads a leg's files (or takes the defaults) into its secure context; throws naming the address and the file,
 * never a key's contents.
 */
export function loadOutboundTls(tls: OutboundTls, defaults: TlsMaterial, label: string): void {
  const m: TlsMaterial = {};
  try {
    const ca = tls.files.ca ? readPublicFile(tls.files.ca, `${label} ca`) : defaults.ca;
    if (ca) m.ca = ca;
    if (tls.files.cert && tls.files.key) {
      m.cert = readPublicFile(tls.files.cert, `${label} cert`);
      m.key = readKeyFile(tls.files.key, `${label} key`);
    } else if (defaults.cert && defaults.key) {
      m.cert = defaults.cert;
      m.key = defaults.key;
      if (defaults.passphrase !== undefined) m.passphrase = defaults.passphrase;
    }
  } catch (err) {
    throw tlsAddressError(label, (err as Error).message);
  }
  if (!m.ca)
    throw tlsAddressError(label, 'a tls:// address needs a CA to verify the peer (ca=FILE, or DICOM_TLS_CA)');
  try {
    tls.context = bcp195Context(m);
  } catch (err) {
    throw tlsAddressError(label, tlsErrorWords(err));
  }
}

/** OpenSSL's reason, or a certificate verification code in words. */
function refusalWords(err: Error): string {
  const e = err as Error & { reason?: string; code?: string };
  if (e.reason) return e.reason;
  // Socket errors (ECONNRESET, ERR_...) keep their message; X509 verification codes (CERT_..., SELF_SIGNED_...) get words.
  if (e.code && !e.code.startsWith('E')) return verifyErrorWords(e.code);
  return e.message;
}

/** Opens a TLS connection of a loaded leg (verifying the peer's chain and name). */
export function connectTls(host: string, port: number, tls: OutboundTls): TLSSocket {
  if (!tls.context)
    throw new DicomtrailError('DT_ERR_TLS_NOT_LOADED', `TLS to ${host}:${port}: its files were never loaded`);
  const socket = connect({
    host,
    port,
    secureContext: tls.context,
    rejectUnauthorized: true,
    ...(tls.servername ? { servername: tls.servername } : {}),
  });
  const onRefused = tls.onRefused;
  if (onRefused) {
    // A failure after TCP connected and before the handshake ended is the TLS layer's refusal, not a lost route.
    let connected = false;
    let secured = false;
    socket.once('connect', () => (connected = true));
    socket.once('secureConnect', () => (secured = true));
    socket.once('error', (err: Error) => {
      if (!connected || secured) return;
      // OpenSSL has usually dropped the peer's certificate by now; it is recorded when it is still there.
      const x509 = peerX509(socket);
      onRefused({
        remote: { address: socket.remoteAddress ?? host, port },
        local: { address: socket.localAddress ?? '', port: socket.localPort ?? 0 },
        cause: 'handshake-failed',
        reason: refusalWords(err),
        ...(x509 ? { peer_certificate: certificateFacts(x509) } : {}),
        leg: tls.leg ?? 'upstream',
        port,
      });
    });
  }
  return socket;
}

/** `tls://` and its parameters back, for a log line (file names only). */
export function describeOutboundTls(tls: OutboundTls | undefined): string {
  if (!tls) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(tls.files)) if (v) q.set(k, v);
  if (tls.servername) q.set('servername', tls.servername);
  const s = q.toString();
  return s ? `?${s}` : '';
}
