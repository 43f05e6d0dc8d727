#!/usr/bin/env node
import { adapterConfigSpec } from '../services/adapter/dist/src/config.js';
import { auditInterchangeConfigSpec } from '../services/audit-interchange/dist/src/config.js';
import { auditWriterConfigSpec } from '../services/audit-writer/dist/src/config.js';
// Prints the configuration tables of every service from their config specs (the README's tables come
// from here; services/cli/src/readme-config.test.ts fails when the README drifts). Run after `npm run build`.
import { describeConfig } from '../services/runtime/dist/src/index.js';
import { traceExporterConfigSpec } from '../services/trace-exporter/dist/src/config.js';

export function configTables() {
  return [
    ['adapter', adapterConfigSpec],
    ['audit-writer', auditWriterConfigSpec],
    ['trace-exporter', traceExporterConfigSpec],
    ['audit-interchange', auditInterchangeConfigSpec],
  ]
    .map(([name, spec]) => `### ${name}\n\n${describeConfig(spec)}\n`)
    .join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(configTables());
