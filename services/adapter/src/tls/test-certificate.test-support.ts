/**
 * A fixed certificate for unit tests (self-signed, EC P-256, valid to 2126): subject O=Radiology, CN=modality-01;
 * SANs DNS:ct01.example.org and IP 10.0.0.5. Its facts as OpenSSL prints them are below.
 */
import { X509Certificate } from 'node:crypto';

export const TEST_CERTIFICATE = new X509Certificate(
  [
    '-----BEGIN CERTIFICATE-----',
    'MIIBzTCCAXSgAwIBAgIUfxLA5slY2teQfoxoxWAnBCB1S04wCgYIKoZIzj0EAwIw',
    'KjESMBAGA1UECgwJUmFkaW9sb2d5MRQwEgYDVQQDDAttb2RhbGl0eS0wMTAgFw0y',
    'NjEyMDcyMjA0MzhaGA8yMTI2MTExMzIyMDQzOFowKjESMBAGA1UECgwJUmFkaW9s',
    'b2d5MRQwEgYDVQQDDAttb2RhbGl0eS0wMTBZMBMGByqGSM49AgEGCCqGSM49AwEH',
    'A0IABKvykRP3HevKCGEfEJnLd2/CLYA09UF6+D9rmQ+FVGWOEy1qefu5wlnR1RA9',
    '3SiB/vPojoXdtvwGciHV6kTooSOjdjB0MB0GA1UdDgQWBBQocC1KhczttGLDXGPB',
    'vqVByp2NtjAfBgNVHSMEGDAWgBQocC1KhczttGLDXGPBvqVByp2NtjAPBgNVHRMB',
    'Af8EBTADAQH/MCEGA1UdEQQaMBiCEGN0MDEuZXhhbXBsZS5vcmeHBAoAAAUwCgYI',
    'KoZIzj0EAwIDRwAwRAIgJWI1lCp2G+z6DUmKrU4tny1bFkNR2KacDEBJ6drcPesC',
    'IGZcGalGDBgxIpIY3aSOp/i+e+OHVcSRqnYtGVm+toqd',
    '-----END CERTIFICATE-----',
  ].join('\n'),
);

export const TEST_CERTIFICATE_SERIAL = '7F12C0E6C958DAD7907E8C68C560270420754B4E';
export const TEST_CERTIFICATE_SHA256 =
  'C0:D8:76:61:9C:C9:7C:55:DB:BE:33:31:4A:07:C4:E3:7C:BD:41:D7:C0:F7:D9:4F:8B:6C:6F:C9:59:03:FE:0D';
