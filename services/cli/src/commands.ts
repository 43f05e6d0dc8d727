/** The `dicomtrail` commands: what each does, its options, and which service module runs it. */

export interface Command {
  /** One line for `dicomtrail --help`. */
  summary: string;
  /** `dicomtrail <command> --help`: usage and every option. */
  help: string;
  /** The module that runs the command when imported (it reads process.argv). */
  module: URL;
  /** The arguments that module sees after `node <module>`. */
  args: (rest: readonly string[]) => string[];
}

/** services/cli/dist/src → services/<name>/dist/src/<file> (npm workspaces keep this layout). */
function serviceModule(service: string, file: string): URL {
  return new URL(`../../../${service}/dist/src/${file}`, import.meta.url);
}

const CONFIG_NOTE = 'Configuration: environment variables (docs/configuration.md).';

const ADAPTER_HELP = [
  'usage: dicomtrail adapter [options]',
  'The DICOM node: an archive SCP, or with PROXY_UPSTREAM / PROXY_ROUTES a transparent audit proxy.',
  '  --port N           DICOM port (DICOM_PORT, default 11112)',
  '  --host ADDR        listen address (DICOM_HOST, default 127.0.0.1)',
  "  --ae-title T       this node's AE title (DICOM_AE_TITLE, default DICOMTRAIL)",
  '  --store-dir DIR    where received instances are stored (DICOM_STORE_DIR)',
  '  --events-out FILE  also write every event as a JSON line to FILE (EVENTS_OUT; holds PHI)',
  '  --help             this text',
  CONFIG_NOTE,
].join('\n');

const AUDIT_HELP = [
  'usage: dicomtrail audit <subcommand>',
  'The audit trail in Postgres (DATABASE_URL).',
  '  run                    consume the event topic into the trail (the audit writer service)',
  '  verify [--anchors DIR] walk every hash chain (and check it against the signed anchors in DIR); exit 1 naming',
  '                         the first discrepancy',
  '  anchor                 the anchoring process: sign every chain head each AUDIT_ANCHOR_INTERVAL_MS',
  '  anchor-keygen --out P  create the anchoring key pair (P, mode 0600, and P.pub)',
  '  rebuild-projections    refold associations, operations and sequence findings from audit.events',
  '  retention              drop monthly partitions older than AUDIT_RETENTION_DAYS and record it',
  '  <subcommand> --help    that subcommand alone',
  CONFIG_NOTE,
].join('\n');

const AUDIT_SUBCOMMANDS: Record<string, string> = {
  run: 'usage: dicomtrail audit run\nConsume dicomtrail.events.v1 into the Postgres trail (KAFKA_BROKERS, DATABASE_URL).',
  verify: [
    'usage: dicomtrail audit verify [--anchors DIR [--public-key PATH] [--tsa-ca FILE]]',
    'Walk every hash chain of audit.events; print OK with the counts, or FAILED naming the first broken link (exit 1).',
    '  --anchors DIR       also check every chain against the signed chain heads in DIR (and report intervals',
    '                      with no anchor); the database alone cannot forge these',
    '  --public-key PATH   the anchoring public key (default: AUDIT_ANCHOR_PUBLIC_KEY, else AUDIT_ANCHOR_KEY.pub)',
    "  --tsa-ca FILE       the time-stamp authority's CA certificate, to check the RFC 3161 tokens",
  ].join('\n'),
  anchor: [
    'usage: dicomtrail audit anchor',
    'Sign the head of every hash chain with the Ed25519 key in AUDIT_ANCHOR_KEY every AUDIT_ANCHOR_INTERVAL_MS,',
    'timestamp it at AUDIT_TSA_URL when set, and write it to AUDIT_ANCHOR_DIR (outside the database).',
  ].join('\n'),
  'anchor-keygen': [
    'usage: dicomtrail audit anchor-keygen --out PATH',
    'Create the anchoring key pair: PATH (private, mode 0600) and PATH.pub.',
  ].join('\n'),
  'rebuild-projections':
    'usage: dicomtrail audit rebuild-projections\nRebuild audit.associations, audit.operations and audit.seq_findings from audit.events.',
  retention:
    'usage: dicomtrail audit retention\nDrop the monthly partitions older than AUDIT_RETENTION_DAYS; the drop is recorded in the trail.',
};

function scuHelp(name: string, operands: string, what: string): string {
  return [
    `usage: dicomtrail ${name} [options] ${operands}`,
    what,
    '  --aet T               our calling AE title (default DICOMTRAIL)',
    '  --aec T               the called AE title (default ANY-SCP)',
    '  --tls                 DICOM TLS (BCP 195 profile: TLS 1.2 or 1.3), verifying the peer certificate',
    "  --tls-ca FILE         PEM CA certificate(s) that sign the peer's certificate (required with --tls)",
    '  --tls-cert FILE       our client certificate (PEM), for a peer that requires one',
    '  --tls-key FILE        its private key (PEM, mode 0600)',
    '  --tls-servername N    the name the peer certificate must carry (default: HOST)',
    'Exit 0 when every status is success (0x0000), 1 otherwise, 2 for bad usage.',
  ].join('\n');
}

const COMMANDS: Record<string, Command> = {
  adapter: {
    summary: 'the DICOM node (archive SCP or audit proxy) that records every association as events',
    help: ADAPTER_HELP,
    module: serviceModule('adapter', 'cli.js'),
    args: (rest) => ['adapter', ...rest],
  },
  audit: {
    summary: 'the audit trail: run | verify | rebuild-projections | retention | anchor | anchor-keygen',
    help: AUDIT_HELP,
    module: serviceModule('audit-writer', 'cli.js'),
    args: (rest) => [...rest],
  },
  'audit-writer': {
    summary: 'the audit writer service (same as: audit run)',
    help: AUDIT_SUBCOMMANDS['run'] as string,
    module: serviceModule('audit-writer', 'cli.js'),
    args: () => ['run'],
  },
  sample: {
    summary: 'write a synthetic study (made-up patient) as DICOM files, to try dicomtrail with storescu',
    help: [
      'usage: dicomtrail sample [options]',
      'Writes a synthetic study (Secondary Capture, a made-up patient) as Part 10 files to send with storescu.',
      '  --out DIR             where to write (default .dicomtrail/sample)',
      '  --count N             instances (default 5, at most 10000)',
      '  --patient-id ID       PatientID (default DT-DEMO-1)',
      '  --patient-name NAME   PatientName (default Demo^Patient)',
    ].join('\n'),
    module: serviceModule('adapter', 'samples/sample-cli.js'),
    args: (rest) => [...rest],
  },
  echo: {
    summary: 'send a C-ECHO to a DICOM node, plaintext or over DICOM TLS (--tls)',
    help: scuHelp('echo', 'HOST PORT', 'Sends a C-ECHO and prints its status.'),
    module: serviceModule('adapter', 'scu/scu-cli.js'),
    args: (rest) => ['echo', ...rest],
  },
  store: {
    summary: 'send DICOM files (C-STORE) to a DICOM node, plaintext or over DICOM TLS (--tls)',
    help: scuHelp(
      'store',
      'HOST PORT FILE...',
      'Sends each Part 10 file in its own transfer syntax; one status line each.',
    ),
    module: serviceModule('adapter', 'scu/scu-cli.js'),
    args: (rest) => ['store', ...rest],
  },
  users: {
    summary: 'the users a DICOM peer may present as its identity: add | remove | list (DICOM_USERS_FILE)',
    help: [
      'usage: dicomtrail users add NAME --file PATH     add or replace NAME; the password is read from standard input',
      '       dicomtrail users remove NAME --file PATH',
      '       dicomtrail users list --file PATH',
      'The file keeps salted scrypt hashes, mode 0600; point DICOM_USERS_FILE at it.',
      'The password is never taken from the command line, where other users could see it.',
    ].join('\n'),
    module: serviceModule('adapter', 'identity/users-cli.js'),
    args: (rest) => [...rest],
  },
  'audit-interchange': {
    summary:
      "IHE ATNA audit messages over syslog/TLS and FHIR AuditEvents to the hospital's audit repository",
    help: [
      'usage: dicomtrail audit-interchange [run]                      the service (a destination must be configured)',
      '       dicomtrail audit-interchange backfill --from DATE [--to DATE]',
      'run: consume dicomtrail.events.v1 and send DICOM audit messages (PS3.15 A.5) over syslog (AUDIT_SYSLOG_*)',
      'and FHIR AuditEvents (AUDIT_FHIR_URL or AUDIT_FHIR_NDJSON_DIR).',
      'backfill: send the messages of a past period, read from the Postgres trail (DATABASE_URL); DATE is an ISO 8601',
      'date or time, --to defaults to now.',
      CONFIG_NOTE,
    ].join('\n'),
    module: serviceModule('audit-interchange', 'cli.js'),
    args: (rest) => [...rest],
  },
  console: {
    summary: "the auditor's web console; add-user NAME --role auditor|engineer creates an account",
    help: [
      'usage: dicomtrail console                                      run the console (CONSOLE_PORT, default 8480)',
      '       dicomtrail console add-user NAME --role auditor|engineer create an account, or set its password and role',
      'add-user reads the password from standard input (one line), never from the command line.',
      'auditor: sees patient identifiers; engineer: the same pages with patient identifiers masked.',
      CONFIG_NOTE,
    ].join('\n'),
    module: serviceModule('console', 'cli.js'),
    args: (rest) => [...rest],
  },
  'trace-exporter': {
    summary: 'the trace exporter service: one OpenTelemetry trace per association',
    help: [
      'usage: dicomtrail trace-exporter',
      'Consume dicomtrail.events.v1 and export one trace per association (Zipkin or OTLP: OTEL_TRACES_EXPORTER).',
      CONFIG_NOTE,
    ].join('\n'),
    module: serviceModule('trace-exporter', 'main.js'),
    args: (rest) => [...rest],
  },
};

export const USAGE = [
  'usage: dicomtrail <command> [options]',
  '',
  'commands:',
  ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)}${c.summary}`),
  '',
  "`dicomtrail <command> --help` lists a command's options.",
  CONFIG_NOTE,
].join('\n');

export function commandFor(name: string | undefined): Command | undefined {
  return name !== undefined && Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
}

export function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

/**
 * The help text `dicomtrail <name> <rest...>` asks for, if it asks: `<cmd> --help`, or `audit <sub> --help`.
 * Undefined when the command should run.
 */
export function helpFor(command: Command, name: string, rest: readonly string[]): string | undefined {
  if (isHelp(rest[0])) return command.help;
  if (name === 'audit' && rest.slice(1).some(isHelp)) {
    const sub = rest[0] as string;
    return Object.hasOwn(AUDIT_SUBCOMMANDS, sub) ? AUDIT_SUBCOMMANDS[sub] : command.help;
  }
  if (rest.some((a) => a === '--help' || a === '-h')) return command.help;
  return undefined;
}
