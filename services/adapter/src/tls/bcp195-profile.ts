/**
 * The BCP 195 non-downgrading secure transport connection profile (PS3.15 B.9, RFC 9325): TLS 1.2 or 1.3 only,
 * ephemeral ECDHE key exchange with AEAD suites (AES-GCM, ChaCha20-Poly1305) on TLS 1.2, and the TLS 1.3
 * suites. Every DICOM TLS context of the adapter (its listener, the proxy's upstream legs, C-MOVE and storage
 * commitment destinations, the SCU) uses it: a peer that offers only older protocols or weaker suites fails
 * the handshake.
 */
import type { SecureVersion } from 'node:tls';

export const BCP195_MIN_VERSION: SecureVersion = 'TLSv1.2';

/** TLS 1.2 suites (OpenSSL names), strongest first. */
const TLS12_SUITES = [
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
];

/** TLS 1.3 suites (all AEAD; Node takes them in the same `ciphers` string). */
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

export const BCP195_CIPHERS = [...TLS13_SUITES, ...TLS12_SUITES].join(':');

/** The options every DICOM TLS secure context starts from. */
export const BCP195_CONTEXT = {
  minVersion: BCP195_MIN_VERSION,
  ciphers: BCP195_CIPHERS,
  honorCipherOrder: true,
  ecdhCurve: 'X25519:P-256:P-384',
} as const;
