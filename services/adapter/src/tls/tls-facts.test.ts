import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  TEST_CERTIFICATE,
  TEST_CERTIFICATE_SERIAL,
  TEST_CERTIFICATE_SHA256,
} from './test-certificate.test-support.js';
import { certificateFacts, rfc4514 } from './tls-facts.js';

test('given a name in certificate order, then RFC 4514 lists it most specific first', () => {
  assert.equal(rfc4514('C=DE\nO=Radiology\nCN=modality-01'), 'CN=modality-01,O=Radiology,C=DE');
});

test('given a certificate, then its facts are subject, issuer, serial, fingerprint, SANs and validity', () => {
  assert.deepEqual(certificateFacts(TEST_CERTIFICATE), {
    subject: 'CN=modality-01,O=Radiology',
    issuer: 'CN=modality-01,O=Radiology',
    serial: TEST_CERTIFICATE_SERIAL,
    sha256: TEST_CERTIFICATE_SHA256,
    subject_alt_names: ['DNS:ct01.example.org', 'IP:10.0.0.5'],
    valid_from: '2026-12-07T22:04:38.000Z',
    valid_to: '2126-11-13T22:04:38.000Z',
  });
});
