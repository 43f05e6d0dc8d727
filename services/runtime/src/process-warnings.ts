/**
 * Node's process warnings as log lines: each service's warnings go to its structured log (JSON, identifiers
 * scrubbed from the message like any error's) instead of Node's own "(node:PID) Name: message" line on stderr.
 * One is known and harmless: kafkajs 2.2.4 arms a timer with a negative delay after every broker response when
 * it is not throttled (its request queue computes "throttled until -1 minus now"); Node ≥ 23 warns
 * (TimeoutNegativeWarning) and runs the timer after 1 ms, which is what kafkajs relied on before. It is logged at
 * debug, once; every other warning at warn.
 */
import type { Logger } from 'pino';
import { scrubIdentifiers } from './logger.js';

/** Warnings known to be harmless, by name, with the reason kept in the log line. */
const KNOWN: Record<string, string> = {
  TimeoutNegativeWarning:
    'kafkajs arms its request queue timer with a negative delay; Node runs it after 1 ms',
};

let routed = false;

/** Routes this process's (or worker thread's) warnings to `log`; the first call wins. */
export function routeProcessWarnings(log: Logger): void {
  if (routed) return;
  routed = true;
  const seen = new Set<string>();
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    const fields = {
      warning: warning.name,
      ...(warning.code ? { code: warning.code } : {}),
      detail: scrubIdentifiers(warning.message),
    };
    const known = KNOWN[warning.name];
    if (known === undefined) log.warn(fields, 'process warning');
    else if (!seen.has(warning.name)) {
      seen.add(warning.name);
      log.debug({ ...fields, known }, 'process warning (known, logged once)');
    }
  });
}
