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
    formatters: { level: (label) => ({ level: label }) },
  };
  const dest = options.destination ?? 1;
  return pino(opts, pino.destination({ dest, sync: typeof dest === 'number' }));
}
