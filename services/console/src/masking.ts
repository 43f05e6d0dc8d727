/**
 * Patient identifiers for engineers: the same pages as auditors, with patient id, name and accession number
 * replaced by a pseudonym (HMAC-SHA256 under a key made at start-up), so rows of one patient still group together
 * on a page without showing who the patient is. Auditors see the values.
 */
import { createHmac, randomBytes } from 'node:crypto';

export type Mask = (value: string | null | undefined, kind: 'patient' | 'name' | 'accession') => string;

export function showAll(value: string | null | undefined): string {
  return value ?? '';
}

export function pseudonymizer(key: Buffer = randomBytes(32)): Mask {
  return (value, kind) => {
    if (value === null || value === undefined || value === '') return '';
    const tag = createHmac('sha256', key).update(`${kind}\0${value}`).digest('hex').slice(0, 8);
    return `[masked ${kind} ${tag}]`;
  };
}

export function maskFor(role: string, masked: Mask): Mask {
  return role === 'auditor' ? showAll : masked;
}
