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
      if (!spool.isFull()) {
        if (full) {
          full = false;
          log.warn({ spool_bytes: spool.bytes, policy }, 'event spool below its limit again');
        }
        return { ok: true };
      }
      if (!full) {
        full = true;
        log.error(
          { spool_bytes: spool.bytes, spool_limit_bytes: spool.maxBytes, policy },
          policy === 'fail-closed'
            ? 'event spool full: refusing new associations (fail-closed)'
            : 'event spool full: serving new associations WITHOUT a complete audit trail (fail-open)',
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
      const detail = `event spool full (${spool.bytes} of ${spool.maxBytes} bytes; fail-closed)`;
      assoc.emit('EVT_SPOOL_LIMIT', () => ({
        ...base,
        action: 'rejected',
        cause: { ...describeReject(Rejects.localLimit), initiator: 'local', detail },
      }));
      return { ok: false, detail };
    },
  };
}
