/**
 * `dicomtrail sample [--out DIR] [--count N] [--patient-id ID] [--patient-name NAME]`: writes a synthetic study
 * (sample-study.ts) as Part 10 files, to send with storescu. `dicomtrail sample --help` is answered by the CLI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sampleStudy } from './sample-study.js';

function main(argv: readonly string[]): number {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string', default: '.dicomtrail/sample' },
      count: { type: 'string', default: '5' },
      'patient-id': { type: 'string', default: 'DT-DEMO-1' },
      'patient-name': { type: 'string', default: 'Demo^Patient' },
    },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1 || count > 10_000) {
    process.stderr.write(
      `dicomtrail sample: --count must be a whole number from 1 to 10000 (got ${values.count})\n`,
    );
    return 2;
  }
  const dir = path.resolve(values.out);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const study = sampleStudy({ patientId: values['patient-id'], patientName: values['patient-name'], count });
  for (const [i, inst] of study.entries()) {
    writeFileSync(path.join(dir, `sample-${String(i + 1).padStart(4, '0')}.dcm`), inst.bytes, {
      mode: 0o600,
    });
  }
  process.stdout.write(`wrote ${study.length} instances of patient ${values['patient-id']} to ${dir}\n`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`dicomtrail sample: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
