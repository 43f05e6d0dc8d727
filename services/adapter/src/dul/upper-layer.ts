/**
 * The DICOM upper layer of one association over one TCP socket (PS3.8 §9.2): the only place where the
 * PDU framer, the state machine, the ARTIM timer and net.Socket meet. It turns bytes into FSM events,
 * has each transition's actions carried out as the table describes them (action-executor.ts) and emits the notification events of spec §2 around it
 * (DATA_*, PDU_*, FSM_TRANSITION, CONN_CLOSE). A decode error or an invalid event takes the standard's
 * path (Evt19 → AA-1/AA-8, an A-ABORT with the PS3.8 reason) and an EVT_INVALID_PDU naming the cause;
 * nothing thrown here escapes the socket loop.
 *
 * What the DUL hands up (the indication and confirmation primitives) goes to the `UpperLayerUser`
 * (the association: ACSE and DIMSE).
 */
import { createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { ParamsOf } from '@dicomtrail/schemas';
import { describeAbort } from '../acse/abort-reason.js';
import { describeReject } from '../acse/reject-reason.js';
import { summarizePdu } from '../association/pdu-summary.js';
import type { Emit } from '../events/emitter.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import { decodePdu } from '../pdu/decode.js';
import { encodePdu } from '../pdu/encode.js';
import type { Pdv } from '../pdu/p-data-tf.js';
import { encodePDataTf, encodePDataTfHead } from '../pdu/p-data-tf.js';
import type { Pdu, RawPdu } from '../pdu/pdu.js';
import { PduError } from '../pdu/pdu-error.js';
import { PduFramer } from '../pdu/pdu-framer.js';
import { type ActionPorts, type DulUserPrimitives, executeTransition } from './action-executor.js';
import { ArtimTimer, systemScheduler } from './artim-timer.js';
import type { FsmEvent } from './fsm-events.js';
import { type DispatchContext, describeTransition, StateMachine } from './state-machine.js';
import { lookupAction } from './transition-table.js';

type PduTypeName = ParamsOf<'EVT_DATA_RECV'>['pdu_type'];

const PDU_NAMES: Record<number, PduTypeName> = {
  1: 'A-ASSOCIATE-RQ',
  2: 'A-ASSOCIATE-AC',
  3: 'A-ASSOCIATE-RJ',
  4: 'P-DATA-TF',
  5: 'A-RELEASE-RQ',
  6: 'A-RELEASE-RP',
  7: 'A-ABORT',
};

const RECEIVED_EVENT: Record<Pdu['type'], FsmEvent> = {
  'A-ASSOCIATE-AC': 'Evt3',
  'A-ASSOCIATE-RJ': 'Evt4',
  'A-ASSOCIATE-RQ': 'Evt6',
  'P-DATA-TF': 'Evt10',
  'A-RELEASE-RQ': 'Evt12',
  'A-RELEASE-RP': 'Evt13',
  'A-ABORT': 'Evt16',
};

/** A lone PDV fragment from this size on is written as it is after its head, not copied into a new PDU. */
const ZERO_COPY_MIN = 2048;

const PDU_EVENTS = new Set<FsmEvent>(['Evt3', 'Evt4', 'Evt6', 'Evt10', 'Evt12', 'Evt13', 'Evt16']);

/** What the upper layer reports to the association (ACSE / DIMSE service user). */
export interface UpperLayerUser extends DulUserPrimitives {
  /** Emits a notification event; `build` runs only when someone listens. */
  emit: Emit;
  /** The transport is closed and the machine is back in Sta1. */
  onClosed(): void;
  /** Established (Sta6) and nothing received or sent for `idleTimeoutMs`. */
  onIdle?(idleMs: number): void;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface UpperLayerOptions {
  role: 'acceptor' | 'requestor';
  /** Largest PDU we accept (our Maximum Length Received + header); larger ones abort. */
  maxPduReceive: number;
  artimTimeoutMs: number;
  /** Sta6 with no PDU received or sent for this long: `onIdle` (0 or unset: never). */
  idleTimeoutMs?: number;
}

function isPdvList(sent: Pdu | readonly Pdv[]): sent is readonly Pdv[] {
  return Array.isArray(sent);
}

/** The dispatch context of every event but a received A-ASSOCIATE-RQ or A-ABORT (one object, not one per PDU). */
const NO_CONTEXT: DispatchContext = Object.freeze({});

export class UpperLayer {
  readonly fsm: StateMachine;
  readonly #socket: Socket;
  readonly #user: UpperLayerUser;
  readonly #framer: PduFramer;
  readonly #artim: ArtimTimer;
  readonly #opts: UpperLayerOptions;
  #closed = false;
  #pendingRq: AssociateRq | undefined;
  readonly #ports: ActionPorts;
  readonly #pausedBy = new Set<string>();
  #lastActivity = 0;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(socket: Socket, user: UpperLayerUser, opts: UpperLayerOptions) {
    this.#socket = socket;
    this.#user = user;
    this.#opts = opts;
    this.fsm = new StateMachine(opts.role);
    this.#ports = this.#actionPorts();
    // A-ASSOCIATE-RQs may exceed the negotiated P-DATA limit (getscu sends ~17 KB): allow at least 256 KiB.
    this.#framer = new PduFramer({ maxPduLength: Math.max(opts.maxPduReceive, 256 * 1024) });
    this.#artim = new ArtimTimer(systemScheduler, () => this.#dispatch('Evt18'), {
      timeoutMs: opts.artimTimeoutMs,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (err) => this.#user.log.warn({ err: err.message }, 'socket error'));
    socket.on('close', () => this.#onSocketClose());
  }

  get state(): string {
    return this.fsm.state;
  }

  /** Acceptor: the transport connection was accepted (Evt5). */
  connectionIndication(): void {
    this.#dispatch('Evt5');
  }

  /** Requestor: A-ASSOCIATE request primitive (Evt1); the transport connects; then Evt2 sends the RQ. */
  associateRequest(rq: AssociateRq, connected: Promise<void>): void {
    this.#pendingRq = rq;
    this.#dispatch('Evt1');
    connected.then(
      () => this.#dispatch('Evt2'),
      () => this.#dispatch('Evt17'),
    );
  }

  acceptAssociation(ac: AssociateAc): void {
    this.#dispatch('Evt7', ac);
  }

  rejectAssociation(rj: AssociateRj): void {
    this.#dispatch('Evt8', rj);
  }

  /**
   * P-DATA request: one P-DATA-TF PDU's worth of PDVs. Returns false when the socket buffer is full. The PDVs'
   * data must not change afterwards: a large lone fragment is handed to the socket as it is, not copied.
   * `alone`: this PDU is a whole message (a response without a data set): written at once unless a burst is
   * already corked, instead of corked until the tick ends.
   */
  sendPData(pdvs: readonly Pdv[], alone = false): boolean {
    // `alone`: the whole message is this one PDU, so it need not wait in a cork for others of its burst.
    this.#writeAlone = alone;
    try {
      return this.#dispatch('Evt9', pdvs);
    } finally {
      this.#writeAlone = false;
    }
  }

  releaseRequest(): void {
    this.#dispatch('Evt11');
  }

  releaseResponse(): void {
    this.#dispatch('Evt14');
  }

  /** A-ABORT request; `detail` says why (recorded with the abort). */
  abortRequest(detail?: string): void {
    if (detail !== undefined) this.#abortError = detail;
    this.#dispatch('Evt15');
  }

  /**
   * Hands what is corked to the kernel now instead of at the end of the tick: for a sender whose message is
   * complete and that has other work left in this tick (the audit proxy records its events after relaying).
   */
  flush(): void {
    this.#uncork();
  }

  /** Waits until the socket's write buffer drains (back-pressure for large sends). */
  drained(): Promise<void> {
    if (!this.#socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.#socket.off('drain', done);
        this.#socket.off('close', done);
        resolve();
      };
      this.#socket.once('drain', done);
      this.#socket.once('close', done);
    });
  }

  /**
   * Stops reading the socket (TCP back-pressure on the peer) until every `by` that paused it resumed:
   * a C-STORE waiting on the disk, a full request queue.
   */
  pauseReading(by = 'store'): void {
    this.#pausedBy.add(by);
    this.#socket.pause();
  }

  resumeReading(by = 'store'): void {
    this.#pausedBy.delete(by);
    if (!this.#closed && this.#pausedBy.size === 0) this.#socket.resume();
  }

  /** Sta6's idle timer: armed on entering it, re-armed lazily from the last activity (no timer per PDU). */
  #watchIdle(): void {
    const limit = this.#opts.idleTimeoutMs ?? 0;
    if (limit <= 0) return;
    if (this.fsm.state !== 'Sta6' || this.#closed) {
      if (this.#idleTimer) clearTimeout(this.#idleTimer);
      this.#idleTimer = undefined;
      return;
    }
    if (this.#idleTimer) return;
    const check = (): void => {
      this.#idleTimer = undefined;
      if (this.fsm.state !== 'Sta6' || this.#closed) return;
      const quiet = Date.now() - this.#lastActivity;
      if (quiet >= limit) {
        this.#user.onIdle?.(quiet);
        return;
      }
      this.#idleTimer = setTimeout(check, limit - quiet);
      this.#idleTimer.unref();
    };
    this.#idleTimer = setTimeout(check, limit);
    this.#idleTimer.unref();
  }

  // ---------------------------------------------------------------- receive

  #onData(chunk: Buffer): void {
    this.#lastActivity = Date.now();
    let raws: RawPdu[];
    try {
      raws = this.#framer.push(chunk);
    } catch (err) {
      this.#invalidPdu(err, undefined);
      return;
    }
    for (const raw of raws) {
      if (this.#closed || this.fsm.state === 'Sta1') return;
      this.#onRawPdu(raw);
    }
  }

  #onRawPdu(raw: RawPdu): void {
    const name = PDU_NAMES[raw.type];
    // The framer passes only the seven PDU types (pdu-header.ts); anything else fails to decode below.
    if (name) this.#user.emit('EVT_DATA_RECV', () => this.#dataParams(raw.bytes, raw.bytes.length, name));
    let pdu: Pdu;
    try {
      pdu = decodePdu(raw.bytes);
    } catch (err) {
      this.#invalidPdu(err, raw);
      return;
    }
    this.#user.emit('EVT_PDU_RECV', () => summarizePdu(pdu, raw.length));
    const evt = RECEIVED_EVENT[pdu.type];
    if (pdu.type === 'A-ASSOCIATE-RQ') {
      const acceptable = (pdu.protocolVersion & 0x0001) === 0x0001;
      this.#dispatch(evt, pdu, { associateRqAcceptableByDul: acceptable });
    } else if (pdu.type === 'A-ABORT') {
      this.#dispatch(evt, pdu, { receivedAbortSource: pdu.source });
    } else {
      this.#dispatch(evt, pdu);
    }
  }

  #invalidPdu(err: unknown, raw: RawPdu | undefined): void {
    const e =
      err instanceof PduError
        ? err
        : new PduError(
            'DT_ERR_PDU_INVALID_VALUE',
            'pdu',
            0,
            err instanceof Error ? err.message : String(err),
            err,
          );
    // What Table 9-10 answers to Evt19 here: AA-1 (Sta2: service-user source), AA-8/AA-7 (provider, with the reason).
    const action = lookupAction('Evt19', this.fsm.state);
    const abort =
      action === 'AA-1'
        ? describeAbort(0, 0)
        : action === 'AA-8' || action === 'AA-7'
          ? describeAbort(2, e.abort.reason)
          : undefined;
    this.#user.emit('EVT_INVALID_PDU', () => ({
      code: e.code,
      message: e.message,
      field: e.field,
      offset: e.offset,
      ...(raw
        ? {
            pdu_type_code: raw.type,
            length: raw.bytes.length,
            sha256: createHash('sha256').update(raw.bytes).digest('hex'),
          }
        : {}),
      ...(raw && PDU_NAMES[raw.type] ? { pdu_type: PDU_NAMES[raw.type] } : {}),
      state: this.fsm.state,
      ...(abort ? { abort } : {}),
    }));
    this.#abortReason = e.abort.reason;
    this.#abortError = e.message;
    this.#dispatch('Evt19');
  }

  #abortReason = 0;
  #abortError: string | undefined;

  #onSocketClose(): void {
    if (this.fsm.state !== 'Sta1') this.#dispatch('Evt17');
    this.#closed = true;
    this.#artim.stop();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#user.onClosed();
  }

  #connCloseEmitted = false;

  // ---------------------------------------------------------------- the FSM and its actions

  #dispatch(event: FsmEvent, arg?: unknown, ctx: DispatchContext = NO_CONTEXT): boolean {
    const result = this.fsm.dispatch(event, ctx);
    if (result.kind === 'ignored') return true;
    if (result.kind === 'invalid-local-primitive') {
      this.#user.log.warn({ state: result.from, event }, result.error.message);
      return false;
    }
    if (result.invalidPair) {
      this.#user.emit('EVT_INVALID_PDU', () => ({
        code: result.invalidPair!.code,
        message: result.invalidPair!.message,
        state: result.from,
        ...(result.action === 'AA-8' ? { abort: describeAbort(2, 2) } : {}),
      }));
    }
    if (
      !result.invalidPair &&
      PDU_EVENTS.has(event) &&
      (result.action === 'AA-1' || result.action === 'AA-8')
    ) {
      // A well-formed PDU the state does not allow (Table 9-10): say which and what was sent back.
      const abort = result.action === 'AA-1' ? describeAbort(0, 0) : describeAbort(2, 2);
      this.#user.emit('EVT_INVALID_PDU', () => ({
        code: 'DT_ERR_PDU_UNEXPECTED',
        message: `${(arg as Pdu | undefined)?.type ?? event} is not valid in ${result.from}`,
        ...(arg && typeof arg === 'object' && 'type' in arg ? { pdu_type: (arg as Pdu).type } : {}),
        state: result.from,
        abort,
      }));
    }
    let ok = true;
    try {
      ok = executeTransition(result, arg, this.#ports);
    } catch (err) {
      this.#user.log.error({ err, action: result.action }, 'DUL action failed');
    }
    this.#user.emit('EVT_FSM_TRANSITION', () => ({ ...describeTransition(result) }));
    if (result.from !== result.to) this.#watchIdle();
    return ok;
  }

  /** What the transition table's actions act on (action-executor.ts). */
  #actionPorts(): ActionPorts {
    const self = this;
    return {
      user: this.#user,
      send: (pdu) => this.#send(pdu),
      sendPData: (pdvs) => this.#sendPDataNow(pdvs),
      startArtim: () => this.#artim.start(),
      stopArtim: () => this.#artim.stop(),
      closeTransport: () => this.#close(),
      pendingRq: () => this.#pendingRq!,
      providerReject: (rq) => {
        // AE-6 in Sta2: the RQ fails the provider's own checks (protocol version): rejected by the DUL.
        const rj: AssociateRj = { type: 'A-ASSOCIATE-RJ', result: 1, source: 2, reason: 2 };
        this.#user.emit('EVT_DUL_REJECTED', () => ({
          protocol_version: rq.protocolVersion,
          cause: { ...describeReject(rj), initiator: 'dul' },
        }));
        return rj;
      },
      get abortReason() {
        return self.#abortReason;
      },
      get abortError() {
        return self.#abortError;
      },
    };
  }

  // ---------------------------------------------------------------- send

  #send(pdu: Pdu): boolean {
    return this.#write(encodePdu(pdu), undefined, pdu);
  }

  /**
   * A P-DATA-TF with one PDV of at least ZERO_COPY_MIN bytes goes out as its 12-byte head and the fragment as
   * it is (one writev with the head, no copy of the fragment); others are encoded whole.
   */
  #sendPDataNow(pdvs: readonly Pdv[]): boolean {
    if (pdvs.length === 1 && pdvs[0]!.data.length >= ZERO_COPY_MIN)
      return this.#write(encodePDataTfHead(pdvs[0]!), pdvs[0]!.data, pdvs);
    return this.#write(encodePDataTf(pdvs), undefined, pdvs);
  }

  /**
   * Hands a PDU (`bytes`, then `tail` when given) to the socket. Writes are corked until the current tick
   * ends or the socket's high-water mark is passed, so the PDUs sent in one burst (a message's command and
   * data set, several PDUs cut from one received chunk) leave in one writev. False: the kernel did not take
   * it all, wait for `drained()`.
   */
  #write(bytes: Buffer, tail: Buffer | undefined, sent: Pdu | readonly Pdv[]): boolean {
    if (this.#closed || this.#socket.destroyed) return false;
    this.#lastActivity = Date.now();
    // A lone message's single buffer goes at once; a head and its fragment (two writes) are corked together.
    if (!this.#corked && (!this.#writeAlone || tail)) {
      this.#corked = true;
      this.#socket.cork();
      process.nextTick(this.#uncork);
    }
    let ok = this.#socket.write(bytes);
    if (tail) ok = this.#socket.write(tail) && ok;
    if (!ok) {
      // Past the high-water mark: what is held goes now, and only a socket the kernel did not empty is full.
      this.#uncork();
      ok = this.#socket.writableLength < this.#socket.writableHighWaterMark;
    }
    const length = bytes.length + (tail?.length ?? 0);
    // DATA_SENT means "handed to the kernel/socket buffer" (spec §9.4: closer to the wire than DIMSE_SENT).
    // A P-DATA-TF comes as its PDVs: its Pdu value is made only for a listener.
    const pduType = isPdvList(sent) ? 'P-DATA-TF' : sent.type;
    this.#user.emit('EVT_DATA_SENT', () => this.#dataParams(tail ? undefined : bytes, length, pduType));
    this.#user.emit('EVT_PDU_SENT', () =>
      summarizePdu(isPdvList(sent) ? { type: 'P-DATA-TF', pdvs: [...sent] } : sent, length - 6),
    );
    return ok;
  }

  #corked = false;
  /** The P-DATA being sent is a whole message on its own (sendPData's `alone`). */
  #writeAlone = false;
  readonly #uncork = (): void => {
    if (!this.#corked) return;
    this.#corked = false;
    this.#socket.uncork();
  };

  /** A P-DATA-TF's data sets are hashed whole, once each (EVT_DIMSE_*, EVT_C_STORE): not again per PDU. */
  #dataParams(bytes: Buffer | undefined, length: number, pduType: PduTypeName): ParamsOf<'EVT_DATA_RECV'> {
    if (pduType === 'P-DATA-TF' || !bytes) return { pdu_type: pduType, length };
    return { pdu_type: pduType, length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  #close(): void {
    if (!this.#connCloseEmitted) {
      this.#connCloseEmitted = true;
      this.#user.emit('EVT_CONN_CLOSE', () => ({
        address: { address: this.#socket.remoteAddress ?? '', port: this.#socket.remotePort ?? 0 },
      }));
    }
    if (this.#closed) return;
    this.#closed = true;
    this.#artim.stop();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#socket.end();
    // Half-closed sockets must not linger: destroy once our bytes are flushed.
    setTimeout(() => this.#socket.destroy(), 2000).unref();
    queueMicrotask(() => this.#user.onClosed());
  }
}
