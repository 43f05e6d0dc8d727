/** The `dicomtrail` commands: which service module runs and with which arguments. */

export interface Command {
  /** The module that runs the command when imported (it reads process.argv). */
  module: URL;
  /** The arguments that module sees after `node <module>`. */
  args: (rest: readonly string[]) => string[];
}

/** services/cli/dist/src → services/<name>/dist/src/<file> (npm workspaces keep this layout). */
function serviceModule(service: string, file: string): URL {
  return new URL(`../../../${service}/dist/src/${file}`, import.meta.url);
}

const COMMANDS: Record<string, Command> = {
  adapter: { module: serviceModule('adapter', 'cli.js'), args: (rest) => ['adapter', ...rest] },
  audit: { module: serviceModule('audit-writer', 'cli.js'), args: (rest) => [...rest] },
  'audit-writer': { module: serviceModule('audit-writer', 'cli.js'), args: () => ['run'] },
  'trace-exporter': { module: serviceModule('trace-exporter', 'main.js'), args: (rest) => [...rest] },
  'audit-interchange': { module: serviceModule('audit-interchange', 'cli.js'), args: (rest) => [...rest] },
};

export const USAGE = [
  'usage: dicomtrail <command>',
  '  adapter [--port N] [--host ADDR] [--ae-title T] [--store-dir DIR] [--events-out FILE]',
  '  audit run | verify | rebuild-projections | retention',
  '  audit-writer          (the audit writer service: audit run)',
  '  trace-exporter        (the trace exporter service)',
  '  audit-interchange [run] | backfill --from DATE [--to DATE]   (ATNA syslog / FHIR AuditEvent)',
  'Configuration: environment variables (README, "Configuration").',
].join('\n');

export function commandFor(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}
