/**
 * The two validators the tests run every produced message through: xmllint against the PS3.15 A.5.1 schema
 * (schema/dicom-audit-message.rng) and HAPI FHIR's R4 instance validator (infra/fhir-validator).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA = path.resolve(here, '../../../schema/dicom-audit-message.rng');
const VALIDATOR = path.resolve(here, '../../../../../infra/fhir-validator/fhir-validator.sh');

export interface XmlVerdict {
  valid: number;
  invalid: { index: number; error: string }[];
}

/** Runs xmllint --relaxng over every document (one process, many files); which failed and why. */
export async function xmllint(documents: readonly string[]): Promise<XmlVerdict> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-xmllint-'));
  try {
    const files = documents.map((doc, i) => {
      const f = path.join(dir, `m${i}.xml`);
      writeFileSync(f, doc);
      return f;
    });
    const stderr = await new Promise<string>((resolve) =>
      execFile(
        'xmllint',
        ['--noout', '--relaxng', SCHEMA, ...files],
        { maxBuffer: 64 << 20 },
        (_err, _out, err) => resolve(err),
      ),
    );
    const invalid: XmlVerdict['invalid'] = [];
    files.forEach((f, index) => {
      if (!stderr.includes(`${f} validates`))
        invalid.push({
          index,
          error: stderr
            .split('\n')
            .filter((l) => l.includes(f))
            .join('\n'),
        });
    });
    return { valid: files.length - invalid.length, invalid };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface FhirVerdict {
  id: string;
  valid: boolean;
  issues: { severity: string; location: string; message: string }[];
}

/** Validates FHIR resources with HAPI's instance validator (a JVM started for the call). */
export async function validateFhir(resources: readonly object[]): Promise<FhirVerdict[]> {
  const child = spawn('bash', [VALIDATOR, 'run'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const out: FhirVerdict[] = [];
  const done = new Promise<void>((resolve, reject) => {
    lines.on('line', (line) => {
      const r = JSON.parse(line) as FhirVerdict & { ready?: boolean };
      if (!r.ready) out.push(r);
    });
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`FHIR validator exited ${code}: ${stderr.slice(-2000)}`)),
    );
  });
  for (const r of resources) child.stdin.write(`${JSON.stringify(r)}\n`);
  child.stdin.end();
  await done;
  return out;
}
