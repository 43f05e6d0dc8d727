#!/usr/bin/env node
/**
 * `dicomtrail <command>`: one entry point for the three services and the audit trail's commands.
 *   dicomtrail adapter [--port N] [--ae-title T] ...   the DICOM SCP (services/adapter)
 *   dicomtrail audit run|verify|rebuild-projections|retention   (services/audit-writer)
 *   dicomtrail audit-writer                            = dicomtrail audit run
 *   dicomtrail trace-exporter                          (services/trace-exporter)
 *   dicomtrail audit-interchange [run] | backfill --from DATE   (services/audit-interchange)
 * Each command is the service's own CLI module, loaded in this process with its arguments.
 */
import { commandFor, USAGE } from './commands.js';

const [name, ...rest] = process.argv.slice(2);
const command = commandFor(name);
if (!command) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(name === undefined || name === 'help' || name === '--help' ? 0 : 2);
}
// The service's module reads process.argv as if it had been started directly.
process.argv = [process.argv[0] as string, command.module.pathname, ...command.args(rest)];
await import(command.module.href);
