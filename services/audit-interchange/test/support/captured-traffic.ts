/**
 * The captured traffic (test/fixtures/SOURCE.md) as events, and their associations folded the way the
 * service folds them: what the given/when/then tests of each message kind start from.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { assertEvent, type DicomtrailEvent } from '@dicomtrail/schemas';
import {
  type AssociationAudit,
  AssociationAuditBuilder,
  type AssociationEvent,
} from '../../src/association-audit.js';
import type { AuditContext, AuditMessage } from '../../src/audit-message.js';
import { AuditPipeline } from '../../src/audit-pipeline.js';

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);

export const CTX: AuditContext = { includePatientName: false };

export function loadCapture(name: 'audit-capture' | 'proxy-capture'): DicomtrailEvent[] {
  const text = gunzipSync(readFileSync(new URL(`${name}.jsonl.gz`, FIXTURES))).toString('utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as DicomtrailEvent);
}

/**
 * Events written per the schema for what the captured traffic lack (test/fixtures/SOURCE.md): connections refused
 * at the TLS layer and a user identity the verifier refused. Each is checked against the event schema as loaded.
 */
export function loadSecurityEvents(): DicomtrailEvent[] {
  const text = readFileSync(new URL('security-events.jsonl', FIXTURES), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => assertEvent(JSON.parse(line)));
}

/** Every association of a run, folded, in order of first event. */
export function associations(events: readonly DicomtrailEvent[]): AssociationAudit[] {
  const builders = new Map<string, AssociationAuditBuilder>();
  for (const e of events) {
    if (!('association' in e)) continue;
    const ae = e as AssociationEvent;
    let b = builders.get(ae.association.id);
    if (!b) {
      b = new AssociationAuditBuilder(ae);
      builders.set(ae.association.id, b);
    }
    b.apply(ae);
  }
  return [...builders.values()].map((b) => b.audit);
}

/** The association this node accepted from `callingAe` (the first one, or the one `pick` chooses). */
export function accepted(
  events: readonly DicomtrailEvent[],
  callingAe: string,
  pick: (a: AssociationAudit) => boolean = () => true,
): AssociationAudit {
  const found = associations(events).find(
    (a) => a.role === 'acceptor' && a.requestor.aeTitle === callingAe && pick(a),
  );
  if (!found) throw new Error(`no association from ${callingAe} in the captured traffic`);
  return found;
}

/** Every message the service makes of a run, as the pipeline emits them. */
export function captureMessages(events: readonly DicomtrailEvent[], ctx: AuditContext = CTX): AuditMessage[] {
  const p = new AuditPipeline(ctx, { timeoutMs: 1e12, maxOpen: 1e6, recentlyClosed: 1e6 });
  const out: AuditMessage[] = [];
  for (const e of events) for (const r of p.accept(e, undefined, 0).ready) out.push(...r.messages);
  for (const r of p.closeAll()) out.push(...r.messages);
  return out;
}

export const PATIENT_A = 'PID-ATNA-A';
export const PATIENT_B = 'PID-ATNA-B';
export const STUDY_A = '1.2.826.0.1.3680043.10.1386.77.1';
export const STUDY_B = '1.2.826.0.1.3680043.10.1386.77.2';
