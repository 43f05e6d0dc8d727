/**
 * EVT_TLS_REFUSED as a node-scoped envelope of the run (events/node-lifecycle.ts numbers the run's node events):
 * it goes to every sink's node-event path, so it is as durable as EVT_NODE_STARTED and reaches Kafka and the
 * trail. Refusals before the run is known (the listener is not yet reported up) wait and follow it.
 */
import { randomBytes } from 'node:crypto';
import { assertEvent, type DicomtrailEvent, eventKind, SCHEMA_ID, uuidv7 } from '@dicomtrail/schemas';
import type { EventSink } from '../association/types.js';
import { utcTimestamp } from '../events/clock.js';
import type { NodeRun } from '../events/node-lifecycle.js';
import type { TlsRefusal } from './tls-gate.js';

export function tlsRefusedEvent(run: NodeRun, refusal: TlsRefusal): DicomtrailEvent {
  return assertEvent({
    schema: SCHEMA_ID,
    id: uuidv7(),
    type: 'EVT_TLS_REFUSED',
    kind: eventKind('EVT_TLS_REFUSED'),
    timestamp: utcTimestamp(),
    seq: run.seq++,
    node: run.node,
    params: refusal,
    // Each refusal is its own trace: no association exists to share one with.
    trace: { trace_id: randomBytes(16).toString('hex'), span_id: randomBytes(8).toString('hex') },
  });
}

/** Writes refusals to the sinks' node-event path once the run is known; holds them until then. */
export class TlsRefusalRecorder {
  readonly #sinks: readonly EventSink[];
  #run: NodeRun | undefined;
  readonly #waiting: TlsRefusal[] = [];

  constructor(sinks: readonly EventSink[]) {
    this.#sinks = sinks;
  }

  /** The run started (after EVT_NODE_STARTED): refusals held so far follow it. */
  start(run: NodeRun): void {
    this.#run = run;
    for (const r of this.#waiting.splice(0)) this.record(r);
  }

  record(refusal: TlsRefusal): void {
    const run = this.#run;
    if (!run) {
      this.#waiting.push(refusal);
      return;
    }
    const event = tlsRefusedEvent(run, refusal);
    for (const s of this.#sinks) s.writeNodeEvent?.(event);
  }
}
