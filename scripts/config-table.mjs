#!/usr/bin/env node
// docs/configuration.md, generated from the services' config specs (every variable a service reads, its default and
// meaning). `node scripts/config-table.mjs` prints it, `--write` writes it; services/cli/src/configuration-doc.test.ts
// fails when the committed file differs. Run after `npm run build`.
import { readFileSync, writeFileSync } from 'node:fs';
import { adapterConfigSpec } from '../services/adapter/dist/src/config.js';
import { auditInterchangeConfigSpec } from '../services/audit-interchange/dist/src/config.js';
import { anchorConfigSpec } from '../services/audit-writer/dist/src/anchoring/config.js';
import { auditWriterConfigSpec } from '../services/audit-writer/dist/src/config.js';
import { consoleConfigSpec } from '../services/console/dist/src/config.js';
import { describeConfig } from '../services/runtime/dist/src/index.js';
import { traceExporterConfigSpec } from '../services/trace-exporter/dist/src/config.js';

export const CONFIGURATION_DOC = new URL('../docs/configuration.md', import.meta.url);

const SERVICES = [
  ['adapter', 'The DICOM node (`dicomtrail adapter`)', adapterConfigSpec],
  ['audit-writer', 'From Kafka to the Postgres trail (`dicomtrail audit`)', auditWriterConfigSpec],
  [
    'audit-anchor',
    "Signs the trail's chain heads outside the database (`dicomtrail audit anchor`)",
    anchorConfigSpec,
  ],
  [
    'audit-interchange',
    'IHE ATNA audit messages over syslog and FHIR AuditEvents (`dicomtrail audit-interchange`)',
    auditInterchangeConfigSpec,
  ],
  ['console', "The auditor's web console (`dicomtrail console`)", consoleConfigSpec],
  [
    'trace-exporter',
    'From Kafka to OpenTelemetry traces (`dicomtrail trace-exporter`)',
    traceExporterConfigSpec,
  ],
];

const EVERY_SERVICE = `## Every service

| variable | default | meaning |
| --- | --- | --- |
| \`LOG_LEVEL\` | \`info\` | pino level: trace, debug, info, warn, error, fatal |
| \`LOG_FORMAT\` | \`auto\` | \`json\` lines, \`pretty\` coloured lines, or \`auto\`: pretty when stdout is a terminal, JSON otherwise |
| \`NO_COLOR\` | (unset) | set: pretty lines without colours |
| \`DICOMTRAIL_NODE\` | (unset) | a Node >= 24 binary of your own for the scripts and \`dicomtrail\` (else \`infra/node/node.sh\` picks one) |
`;

export function configurationDoc() {
  const sections = SERVICES.map(
    ([name, what, spec]) => `## ${name}\n\n${what}.\n\n${describeConfig(spec)}\n`,
  ).join('\n');
  return `# Configuration

Every service reads its configuration from environment variables, validated at start-up: a bad value stops the
service with every problem listed at once (exit 2). This file is generated from the services' config specs by
\`node scripts/config-table.mjs --write\`; a test fails when it drifts.

${EVERY_SERVICE}
${sections}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = configurationDoc();
  if (process.argv.includes('--write')) {
    const before = (() => {
      try {
        return readFileSync(CONFIGURATION_DOC, 'utf8');
      } catch {
        return '';
      }
    })();
    writeFileSync(CONFIGURATION_DOC, doc);
    process.stderr.write(
      before === doc ? 'docs/configuration.md unchanged\n' : 'docs/configuration.md written\n',
    );
  } else process.stdout.write(doc);
}
