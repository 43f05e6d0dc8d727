import { writeSync } from 'node:fs';
import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';
import { prettyLogLine } from './pretty-log.js';

export type { Logger };

/**
 * Paths never written to logs: dataset values, patient identifiers and user-identity secrets.
 * Components log ids, counts and codes; these paths catch a mistake, they are not an invitation.
 */
export const REDACT_PATHS = [
  '*.dataset',
  '*.identifier',
  '*.password',
  '*.secondary_field',
  '*.patient_id',
  '*.patient_name',
  'params.dataset',
  'params.identifier',
];

/**
 * A DICOM UID (at least five numeric components, so IPv4 addresses stay) or a quoted file-system path: an
 * error's text may carry either (a failed rename names the store path, which is made of Study/Series/SOP
 * Instance UIDs), and logs carry no identifiers.
 */
const IDENTIFIER_RE = /\b\d+(?:\.\d+){4,}\b|'\/[^']*'/g;

export function scrubIdentifiers(text: string): string {
  return text.replace(IDENTIFIER_RE, (m) => (m.startsWith("'") ? "'[path]'" : '[uid]'));
}

/** pino's error serializer with identifiers scrubbed from the message, the stack and fs errors' paths. */
function scrubbedError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack'])
    if (typeof out[key] === 'string') out[key] = scrubIdentifiers(out[key] as string);
  for (const key of ['path', 'dest']) if (typeof out[key] === 'string') out[key] = '[path]';
  return out;
}

/** `LOG_FORMAT`: `json` lines, `pretty` coloured lines, or `auto` (pretty when the output is a terminal). */
export type LogFormat = 'auto' | 'json' | 'pretty';

export function resolveLogFormat(format: string | undefined, isTerminal: boolean): 'json' | 'pretty' {
  if (format === undefined || format === '' || format === 'auto') return isTerminal ? 'pretty' : 'json';
  if (format === 'json' || format === 'pretty') return format;
  throw new Error(`LOG_FORMAT must be auto, json or pretty (got ${JSON.stringify(format)})`);
}

/** A pino destination that writes each JSON record as a pretty line to a file descriptor. */
function prettyDestination(fd: number, colour: boolean): DestinationStream {
  return {
    write(line: string) {
      writeSync(fd, prettyLogLine(line, colour));
    },
  };
}

/**
 * One root logger per process; components take `logger.child({ component })`. JSON lines on stdout, or pretty
 * coloured lines with the same fields when stdout is a terminal (LOG_FORMAT overrides).
 */
export function createLogger(
  service: string,
  options: { level?: string; destination?: number | string; format?: LogFormat } = {},
): Logger {
  const opts: LoggerOptions = {
    name: service,
    level: options.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: scrubbedError },
    formatters: { level: (label) => ({ level: label }) },
  };
  const dest = options.destination ?? 1;
  const isTerminal = typeof dest === 'number' && dest === 1 && process.stdout.isTTY === true;
  const format = resolveLogFormat(options.format ?? process.env['LOG_FORMAT'], isTerminal);
  if (format === 'pretty' && typeof dest === 'number') {
    return pino(opts, prettyDestination(dest, isTerminal && process.env['NO_COLOR'] === undefined));
  }
  return pino(opts, pino.destination({ dest, sync: typeof dest === 'number' }));
}
