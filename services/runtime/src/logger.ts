import { type Logger, type LoggerOptions, pino } from 'pino';

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

/** One root logger per process; components take `logger.child({ component })`. JSON lines on stdout. */
export function createLogger(
  service: string,
  options: { level?: string; destination?: number | string } = {},
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
  return pino(opts, pino.destination({ dest, sync: typeof dest === 'number' }));
}
