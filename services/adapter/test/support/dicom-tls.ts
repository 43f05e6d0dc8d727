/**
 * DICOM TLS for tests: a CA and the certificates the cases need (our server, a modality bound to CT01|CT02, a
 * modality signed by a foreign CA, an expired one), made with openssl in a temporary directory, and a listener
 * TLS gate that collects what it refuses.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type CertFiles, makeCa, makeCert } from '@dicomtrail/testing';
import { parseAeBindings } from '../../src/tls/ae-bindings.js';
import { loadOutboundTls, type OutboundTls } from '../../src/tls/outbound-tls.js';
import type { ClientAuth } from '../../src/tls/tls-config.js';
import { TlsGate, type TlsRefusal } from '../../src/tls/tls-gate.js';
import { testLog } from './server.js';

export interface TestPki {
  dir: string;
  ca: CertFiles;
  server: CertFiles;
  /** CN=modality-01, bound to CT01|CT02. */
  modality: CertFiles;
  /** CN=modality-01, signed by another CA. */
  foreign: CertFiles;
  /** CN=modality-01, expired. */
  expired: CertFiles;
  /** CN=pacs, SAN IP 127.0.0.1: the storescp behind the proxy, or a C-MOVE destination. */
  pacs: CertFiles;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-dicom-tls-'));
  // RSA: dcmtk's BCP 195 profiles offer ECDHE_RSA suites only.
  const rsa = 'rsa' as const;
  const ca = makeCa(dir, 'hospital-ca', rsa);
  const rogue = makeCa(dir, 'rogue-ca', rsa);
  return {
    dir,
    ca,
    server: makeCert(dir, ca, 'server', {
      cn: 'dicomtrail',
      dns: ['localhost'],
      ips: ['127.0.0.1'],
      keyType: rsa,
    }),
    modality: makeCert(dir, ca, 'modality', { cn: 'modality-01', ips: ['127.0.0.1'], keyType: rsa }),
    foreign: makeCert(dir, rogue, 'foreign', { cn: 'modality-01', keyType: rsa }),
    expired: makeCert(dir, ca, 'expired', { cn: 'modality-01', days: -1, keyType: rsa }),
    pacs: makeCert(dir, ca, 'pacs', { cn: 'pacs', ips: ['127.0.0.1'], keyType: rsa }),
  };
}

export const TEST_BINDINGS = 'CN=modality-01:CT01|CT02';

/** A listener gate with our server certificate; refusals are collected in `refused`. */
export function testGate(
  pki: TestPki,
  opts: { clientAuth?: ClientAuth; bindings?: string; plainPort?: number } = {},
): { gate: TlsGate; refused: TlsRefusal[] } {
  const refused: TlsRefusal[] = [];
  const gate = new TlsGate({
    tls: {
      material: {
        ca: readFileSync(pki.ca.cert, 'utf8'),
        cert: readFileSync(pki.server.cert, 'utf8'),
        key: readFileSync(pki.server.key, 'utf8'),
      },
      clientAuth: opts.clientAuth ?? 'require',
      ...(opts.bindings ? { bindings: parseAeBindings(opts.bindings) } : {}),
      ...(opts.plainPort !== undefined ? { plainPort: opts.plainPort } : {}),
    },
    handshakeTimeoutMs: 5000,
    log: testLog,
    onRefused: (r) => refused.push(r),
  });
  return { gate, refused };
}

/** Our outgoing leg trusting the test CA and presenting `client` (default: the modality's certificate). */
export function testOutbound(pki: TestPki, client: CertFiles = pki.modality): OutboundTls {
  const tls: OutboundTls = { files: { ca: pki.ca.cert, cert: client.cert, key: client.key } };
  loadOutboundTls(tls, {}, 'test');
  return tls;
}

/** dcmtk's TLS options presenting `cert` and trusting the test CA. */
export function dcmtkTls(pki: TestPki, cert: CertFiles = pki.modality): string[] {
  return ['+tls', cert.key, cert.cert, '+cf', pki.ca.cert];
}
