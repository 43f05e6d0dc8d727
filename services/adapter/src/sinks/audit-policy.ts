/**
 * What the adapter does when the event spool is full (ARCHITECTURE.md, "Delivery guarantees"):
 * `fail-closed` refuses new associations with A-ASSOCIATE-RJ (rejected-transient, service-provider
 * presentation, local-limit-exceeded) rather than serve traffic it cannot audit; `fail-open` serves them.
 * Either way the association gets an EVT_SPOOL_LIMIT event saying so, and a structured log line.
 */
import type { Logger } from '@dicomtrail/runtime';
import type { AcceptorPolicy } from '../acse/acceptor.js';
import { describeReject, Rejects } from '../acse/reject-reason.js';
import type { Spool } from './spool.js';

export type AuditPolicy = 'fail-closed' | 'fail-open';

export interface SpoolAdmission {
  admission: NonNullable<AcceptorPolicy['admission']>;
  /** Associations refused (fail-closed) and served while full (fail-open). */
  stats(): { rejected: number; admittedWhileFull: number };
}

export function spoolAdmission(spool: Spool, policy: AuditPolicy, log: Logger): SpoolAdmission {
  let rejected = 0;
  let admittedWhileFull = 0;
  let full = false;
  return {
    stats: () => ({ rejected, admittedWhileFull }),
    admission: (assoc) => {
      // The log cannot be written (disk full, I/O error): as full, whatever its size says.
      const failing = spool.writeError;
      const why = failing === undefined ? 'full' : `failing (${errorText(failing)})`;
      if (!spool.isFull() && failing === undefined) {
        if (full) {
          full = false;
          log.warn({ spool_bytes: spool.bytes, policy }, 'event spool writable and below its limit again');
        }
        return { ok: true };
      }
      if (!full) {
        full = true;
        log.error(
          { spool_bytes: spool.bytes, spool_limit_bytes: spool.maxBytes, policy, why },
          policy === 'fail-closed'
            ? `event spool ${why}: refusing new associations (fail-closed)`
            : `event spool ${why}: serving new associations WITHOUT a complete audit trail (fail-open)`,
        );
      }
      const base = {
        policy,
        spool_bytes: spool.bytes,
        spool_limit_bytes: spool.maxBytes,
        spool_events: spool.records,
      };
      if (policy === 'fail-open') {
        admittedWhileFull += 1;
        assoc.emit('EVT_SPOOL_LIMIT', () => ({ ...base, action: 'admitted' }));
        return { ok: true };
      }
      rejected += 1;
      const detail =
        failing === undefined
          ? `event spool full (${spool.bytes} of ${spool.maxBytes} bytes; fail-closed)`
          : `event spool ${why}; fail-closed`;
      assoc.emit('EVT_SPOOL_LIMIT', () => ({
        ...base,
        action: 'rejected',
        cause: { ...describeReject(Rejects.localLimit), initiator: 'local', detail },
      }));
      return { ok: false, detail };
    },
  };
}

function errorText(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  const message = err instanceof Error ? err.message : String(err);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}
