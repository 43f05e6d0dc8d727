#!/usr/bin/env node
/**
 * `dicomtrail <command>`: one entry point for the services and the audit trail's commands.
 * `dicomtrail --help` lists the commands, `dicomtrail <command> --help` their options.
 * Each command is the service's own CLI module, loaded in this process with its arguments.
 */
import { commandFor, helpFor, isHelp, USAGE } from './commands.js';

const [name, ...rest] = process.argv.slice(2);
if (name === undefined || isHelp(name)) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const command = commandFor(name);
if (!command) {
  process.stderr.write(`dicomtrail: unknown command '${name}' (dicomtrail --help lists the commands)\n`);
  process.exit(2);
}
const help = helpFor(command, name, rest);
if (help !== undefined) {
  process.stdout.write(`${help}\n`);
  process.exit(0);
}
// The service's module reads process.argv as if it had been started directly.
process.argv = [process.argv[0] as string, command.module.pathname, ...command.args(rest)];
await import(command.module.href);
