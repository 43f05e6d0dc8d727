/**
 * The DIMSE service provider of one association (PS3.7 §7-§10): reassembles messages from PDVs
 * (C-STORE data sets streamed to a file, or passed on as they arrive when `passOn` takes them, other data sets
 * collected in memory), emits EVT_DIMSE_RECV /
 * EVT_DIMSE_SENT, runs requests one at a time through the service classes, matches responses to the
 * operations waiting for them (SCU side and C-GET sub-operations), and fragments outgoing messages
 * to the peer's maximum PDU length. A peer that sends requests faster than it reads the answers is held
 * back: past `maxPendingRequests` unanswered requests its socket is not read, and a send that cannot
 * hand its bytes to the socket within `writeTimeoutMs` aborts the association.
 */
import { createHash } from 'node:crypto';
import { COMMAND_FIELDS, commandFieldName, isResponse } from '../dimse/command-field.js';
import {
  type CommandSet,
  DATASET_PRESENT,
  encodeCommandSet,
  hasDataset,
  NO_DATASET,
} from '../dimse/command-set.js';
import { DimseError } from '../dimse/dimse-error.js';
import { fragmentMessage, maxFragmentLength, refragment } from '../dimse/fragmenter.js';
import { DatasetCollector, DimseAssembler } from '../dimse/reassembler.js';
import { statusCategory } from '../dimse/status.js';
import type { EventEmitter } from '../events/emitter.js';
import { errorFields } from '../events/log-fields.js';
import type { Pdv } from '../pdu/p-data-tf.js';
import { type DatasetDigest, describeCommand } from './command-summary.js';
import { type StoredFile, StoreReceiver } from './store-receiver.js';
import type { NegotiatedContext } from './types.js';

/**
 * What the DIMSE service needs of its association: its events (a narrow emitter), the negotiated contexts and
 * the peer's PDU limit, the upper layer's P-DATA and back-pressure, and how to end it; not the whole association.
 */
export interface DimseUser extends EventEmitter {
  readonly callingAeTitle: string;
  readonly contexts: ReadonlyMap<number, NegotiatedContext>;
  readonly peerMaxPdu: number;
  readonly isEstablished: boolean;
  readonly outcome: unknown;
  readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  readonly dul: {
    readonly state: string;
    /** `alone`: the PDU is the whole message (nothing of it follows in this burst). */
    sendPData(pdvs: readonly Pdv[], alone?: boolean): boolean;
    drained(): Promise<void>;
    pauseReading(by?: string): void;
    resumeReading(by?: string): void;
  };
  durable(): Promise<void> | undefined;
  abort(detail?: string): void;
  abortNotDurable(what: string, err: unknown): void;
}

/** `A`: the association the service classes are given (association.ts passes itself). */
export interface DimseServiceOptions<A extends DimseUser = DimseUser> {
  /** Where received C-STORE data sets are streamed (a temporary file under it, then moved by the handler). */
  storeDir: string;
  bulkDataThreshold: number;
  implementationClassUid: string;
  implementationVersionName: string;
  /** Serves a received request; a thrown error aborts nothing (the service class answers a failure). */
  serve(assoc: A, msg: DimseMessage): Promise<void>;
  /** Called for a received C-CANCEL-RQ after EVT_C_CANCEL (the audit proxy passes it on upstream). */
  onCancel?(assoc: A, msg: DimseMessage): void;
  /** C-STORE data sets longer than this are refused with A700 and not written (default: no limit). */
  maxInstanceBytes?: number;
  /** A streamed C-STORE data set is fdatasync'd in the background every this many bytes (default 0: never). */
  writebackBytes?: number;
  /**
   * Takes a received C-STORE data set fragment by fragment as it arrives instead of a file (the audit
   * proxy's cut-through); asked only when no other request is in progress. Undefined: a file, as usual.
   */
  passOn?(assoc: A, context: NegotiatedContext, command: CommandSet): DatasetPassage | undefined;
  /**
   * Small C-STORE data sets stay in memory until the handler files them (the storage service writes each
   * once, under its final name); unset: every data set goes to a temporary file (which the audit proxy reads).
   */
  holdSmall?: boolean;
  /**
   * Requests received and not yet answered, at most; past it the socket is not read (TCP back-pressure)
   * until one is answered (default 16).
   */
  maxPendingRequests?: number;
  /**
   * A send that waits this long for the peer to read (socket buffer full) aborts the association
   * (default 60,000 ms).
   */
  writeTimeoutMs?: number;
}

export interface DimseMessage {
  context: NegotiatedContext;
  command: CommandSet;
  /** The data set in memory (all but C-STORE data sets). */
  dataset?: Buffer;
  /** A C-STORE data set streamed to disk. */
  stored?: StoredFile;
  /** A C-STORE data set passed on as it arrived (`passOn`), and what the events say of it. */
  passage?: DatasetPassage;
  digest?: DatasetDigest;
}

/** Where a received C-STORE data set goes, fragment by fragment, when it is passed on rather than kept. */
export interface DatasetPassage {
  write(fragment: Buffer, last: boolean): void;
  /** After the last fragment: what the events say of the data set (length, sha256, header). */
  end(): DatasetDigest;
  /** The association ended before the last fragment. */
  discard(reason: string): void;
}

/** A request sent while its data set is still arriving elsewhere (`openRequest`). */
export interface OpenedRequest {
  /**
   * Sends one fragment (the first with the command), re-cut to the peer's maximum PDU length; false: wait
   * for `drained()`.
   */
  fragment(data: Buffer, last: boolean): boolean;
  drained(): Promise<void>;
  /** Records EVT_DIMSE_SENT once the last fragment is out. */
  sent(digest: DatasetDigest): void;
  /** The final response (pending ones go to the `onPending` given). */
  response: Promise<DimseMessage>;
}

interface Incoming {
  context: NegotiatedContext;
  command: CommandSet;
  collector?: DatasetCollector;
  store?: StoreReceiver;
  passage?: DatasetPassage;
}

type ResponseWaiter = {
  resolve: (m: DimseMessage) => void;
  reject: (e: Error) => void;
  onPending?: (m: DimseMessage) => void;
};

export class DimseService<A extends DimseUser = DimseUser> {
  readonly #assoc: A;
  readonly #opts: DimseServiceOptions<A>;
  readonly #assembler = new DimseAssembler();
  #incoming: Incoming | undefined;
  /** Requests received and waiting to be served, oldest first (one is served at a time). */
  readonly #requests: DimseMessage[] = [];
  /** A request is being served (or about to be, from a queued microtask). */
  #running = false;
  #busy = 0;
  /** Requests received and not answered yet (queued or being served). */
  #pending = 0;
  #idleWaiters: Array<() => void> = [];
  readonly #waiters = new Map<number, ResponseWaiter>();
  readonly #cancelled = new Set<number>();
  readonly #inProgress = new Map<number, 'C-FIND' | 'C-GET' | 'C-MOVE'>();
  #nextMessageId = 1;

  constructor(assoc: A, opts: DimseServiceOptions<A>) {
    this.#assoc = assoc;
    this.#opts = opts;
  }

  nextMessageId(): number {
    const id = this.#nextMessageId;
    this.#nextMessageId = (this.#nextMessageId % 0xffff) + 1;
    return id;
  }

  /** True once a C-CANCEL-RQ named this message id (the operation checks at its next result). */
  isCancelled(messageId: number): boolean {
    return this.#cancelled.has(messageId);
  }

  /** A request received here is still being served (queued, or its answer not yet sent). */
  get serving(): boolean {
    return this.#busy > 0 || this.#pending > 0;
  }

  /** Resolves when no request is being served. */
  idle(): Promise<void> {
    if (this.#busy === 0 && this.#assembler.idle) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  // ---------------------------------------------------------------- receive

  receive(pdvs: readonly Pdv[]): void {
    for (const pdv of pdvs) {
      try {
        for (const out of this.#assembler.push(pdv)) {
          if (out.kind === 'command') this.#onCommand(out.contextId, out.command, out.hasDataset);
          else this.#onChunk(out.chunk, out.last);
        }
      } catch (err) {
        this.#protocolError(err);
        return;
      }
    }
  }

  #protocolError(err: unknown): void {
    const e = err instanceof DimseError ? err : new DimseError('DT_ERR_DIMSE_PROTOCOL', String(err));
    this.#assoc.emit('EVT_INVALID_PDU', () => ({
      code: e.code,
      message: e.message,
      state: this.#assoc.dul.state,
    }));
    this.#assoc.log.warn(
      { code: e.code, msg: e.message },
      'DIMSE protocol violation; aborting the association',
    );
    this.#assoc.abort(`${e.code}: ${e.message}`);
  }

  #onCommand(contextId: number, command: CommandSet, withDataset: boolean): void {
    const context = this.#assoc.contexts.get(contextId);
    if (!context)
      throw new DimseError(
        'DT_ERR_DIMSE_UNKNOWN_CONTEXT',
        `presentation context ${contextId} was not accepted`,
        { contextId },
      );
    const incoming: Incoming = { context, command };
    if (withDataset) {
      if (command.commandField === COMMAND_FIELDS['C-STORE-RQ']) {
        const passage = this.serving ? undefined : this.#opts.passOn?.(this.#assoc, context, command);
        if (passage) incoming.passage = passage;
        else incoming.store = new StoreReceiver(this.#assoc, context, command, this.#opts);
      } else {
        incoming.collector = new DatasetCollector();
      }
      this.#incoming = incoming;
      return;
    }
    this.#complete({ context, command });
  }

  #onChunk(chunk: Buffer, last: boolean): void {
    const inc = this.#incoming;
    if (!inc) throw new DimseError('DT_ERR_DIMSE_UNEXPECTED_DATASET', 'data set fragment without a command');
    if (inc.passage) {
      inc.passage.write(chunk, last);
      // Writing may have ended the association (an instance past its limit).
      if (last && this.#incoming === inc) {
        this.#incoming = undefined;
        this.#complete({
          context: inc.context,
          command: inc.command,
          passage: inc.passage,
          digest: inc.passage.end(),
        });
      }
      return;
    }
    if (inc.store) {
      inc.store.write(chunk);
      if (last) {
        this.#incoming = undefined;
        const store = inc.store;
        this.#busy++;
        store.end().then(
          (stored) => {
            this.#busy--;
            this.#complete({ context: inc.context, command: inc.command, stored });
          },
          (err: unknown) => {
            this.#busy--;
            this.#assoc.log.error(errorFields(err), 'store receiver failed');
          },
        );
      }
      return;
    }
    const whole = inc.collector!.push(chunk, last);
    if (whole !== undefined) {
      this.#incoming = undefined;
      this.#complete({ context: inc.context, command: inc.command, dataset: whole });
    }
  }

  #complete(msg: DimseMessage): void {
    const cf = msg.command.commandField;
    this.#assoc.emit('EVT_DIMSE_RECV', () => ({
      message: describeCommand(
        msg.context,
        msg.command,
        msg.dataset,
        msg.stored ?? msg.digest,
        this.#opts.bulkDataThreshold,
      ),
    }));
    if (cf === COMMAND_FIELDS['C-CANCEL-RQ']) {
      const target = msg.command.messageIdBeingRespondedTo ?? 0;
      this.#cancelled.add(target);
      const op = this.#inProgress.get(target);
      this.#assoc.emit(
        'EVT_C_CANCEL',
        () => ({
          context_id: msg.context.id,
          message_id_being_responded_to: target,
          matched: op !== undefined,
          ...(op ? { cancelled_service: op } : {}),
        }),
        target,
      );
      this.#opts.onCancel?.(this.#assoc, msg);
      return;
    }
    if (isResponse(cf)) {
      const id = msg.command.messageIdBeingRespondedTo ?? -1;
      const w = this.#waiters.get(id);
      if (!w) {
        this.#assoc.log.warn(
          { message_id: id, command: commandFieldName(cf) },
          'response to no outstanding request; ignored',
        );
        return;
      }
      if (statusCategory(msg.command.status ?? 0) === 'pending') {
        w.onPending?.(msg);
      } else {
        this.#waiters.delete(id);
        w.resolve(msg);
      }
      return;
    }
    this.#busy++;
    if (++this.#pending >= (this.#opts.maxPendingRequests ?? 16)) this.#assoc.dul.pauseReading('requests');
    const service = QUERY_RETRIEVE.get(cf);
    if (msg.command.messageId !== undefined && service !== undefined)
      this.#inProgress.set(msg.command.messageId, service);
    this.#requests.push(msg);
    // One request at a time, in order; served from a microtask, after what this chunk still holds is received.
    if (!this.#running) {
      this.#running = true;
      queueMicrotask(this.#serveNext);
    }
  }

  /** Serves the oldest waiting request; when its answer is out (or it failed), the next. */
  readonly #serveNext = (): void => {
    const msg = this.#requests.shift();
    if (msg === undefined) {
      this.#running = false;
      return;
    }
    let served: Promise<void>;
    try {
      served = this.#opts.serve(this.#assoc, msg);
    } catch (err) {
      served = Promise.reject(err);
    }
    served.then(
      () => this.#served(msg),
      (err: unknown) => {
        this.#assoc.log.error({ err, command: commandFieldName(msg.command.commandField) }, 'request failed');
        this.#served(msg);
      },
    );
  };

  #served(msg: DimseMessage): void {
    this.#busy--;
    if (--this.#pending < (this.#opts.maxPendingRequests ?? 16)) this.#assoc.dul.resumeReading('requests');
    if (msg.command.messageId !== undefined) {
      this.#cancelled.delete(msg.command.messageId);
      this.#inProgress.delete(msg.command.messageId);
    }
    if (this.#busy === 0) for (const w of this.#idleWaiters.splice(0)) w();
    this.#serveNext();
  }

  // ---------------------------------------------------------------- send

  /**
   * Sends one DIMSE message; resolves when its PDUs are handed to the socket (waits on back-pressure).
   * `stored`: what EVT_DIMSE_SENT says of a streamed data set (length, hash, header), e.g. a relayed C-STORE.
   */
  send(
    context: NegotiatedContext,
    command: CommandSet,
    dataset?: Buffer | AsyncIterable<Buffer>,
    stored?: StoredFile,
  ): Promise<void> {
    // Not an async function: a message whose PDUs the socket takes at once (the common case) settles without
    // a promise of its own; whatever throws still comes back as a rejection.
    try {
      if (!this.#assoc.isEstablished)
        throw new DimseError('DT_ERR_DIMSE_NOT_ESTABLISHED', 'association is not established');
      const cs = withDatasetType(command, dataset !== undefined);
      const commandBytes = encodeCommandSet(cs);
      const inMemory = Buffer.isBuffer(dataset) ? dataset : undefined;
      this.#assoc.emit(
        'EVT_DIMSE_SENT',
        () => ({ message: describeCommand(context, cs, inMemory, stored, this.#opts.bulkDataThreshold) }),
        cs.messageId ?? cs.messageIdBeingRespondedTo,
      );
      // A response waits until this operation's events, and every earlier one, are durable (AUDIT_DURABILITY=sync).
      const durable = isResponse(cs.commandField) ? this.#assoc.durable() : undefined;
      if (durable) return this.#sendWhenDurable(durable, context.id, cs, commandBytes, dataset);
      return this.#sendPdus(context.id, commandBytes, dataset);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async #sendWhenDurable(
    durable: Promise<void>,
    contextId: number,
    cs: CommandSet,
    commandBytes: Buffer,
    dataset: Buffer | AsyncIterable<Buffer> | undefined,
  ): Promise<void> {
    await durable.catch((err: unknown) => this.#notDurable(err, cs));
    return this.#sendPdus(contextId, commandBytes, dataset);
  }

  /** Hands the message's PDUs to the upper layer; waits only when the socket is full or a data set streams. */
  #sendPdus(
    contextId: number,
    commandBytes: Buffer,
    dataset: Buffer | AsyncIterable<Buffer> | undefined,
  ): Promise<void> {
    const max = this.#assoc.peerMaxPdu;
    const inMemory = Buffer.isBuffer(dataset) ? dataset : undefined;
    const pdus = fragmentMessage(contextId, commandBytes, inMemory, max);
    // A message in one PDU (most responses) is written at once, not corked for the rest of a burst.
    const alone = pdus.length === 1 && (dataset === undefined || inMemory !== undefined);
    for (let i = 0; i < pdus.length; i++) {
      if (!this.#assoc.dul.sendPData(pdus[i]!, alone))
        return this.#sendAfterDrain(pdus, i + 1, contextId, dataset);
      this.#checkNotEnded();
    }
    if (dataset !== undefined && !Buffer.isBuffer(dataset)) return this.#sendStream(contextId, dataset, max);
    return SENT;
  }

  /** The rest of a message once the socket drained, from PDU `from` on. */
  async #sendAfterDrain(
    pdus: Pdv[][],
    from: number,
    contextId: number,
    dataset: Buffer | AsyncIterable<Buffer> | undefined,
  ): Promise<void> {
    await this.#drained();
    this.#checkNotEnded();
    for (let i = from; i < pdus.length; i++) {
      if (!this.#assoc.dul.sendPData(pdus[i]!)) await this.#drained();
      this.#checkNotEnded();
    }
    if (dataset !== undefined && !Buffer.isBuffer(dataset))
      await this.#sendStream(contextId, dataset, this.#assoc.peerMaxPdu);
  }

  #checkNotEnded(): void {
    if (this.#assoc.outcome)
      throw new DimseError('DT_ERR_DIMSE_ASSOCIATION_ENDED', 'association ended while sending');
  }

  /**
   * Waits for the socket to drain; a peer that does not read within `writeTimeoutMs` has the association
   * aborted (and what waits on it is failed).
   */
  async #drained(): Promise<void> {
    const limit = this.#opts.writeTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.#assoc.dul.drained().then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), limit);
      }),
    ]);
    clearTimeout(timer);
    if (!timedOut) return;
    this.#assoc.log.warn({ write_timeout_ms: limit }, 'peer does not read; aborting');
    this.#assoc.abort(`peer did not read for ${limit} ms (DICOM_WRITE_TIMEOUT_MS)`);
    throw new DimseError('DT_ERR_DIMSE_WRITE_TIMEOUT', `peer did not read for ${limit} ms`, {
      writeTimeoutMs: limit,
    });
  }

  /** A response whose events are not durable is not sent: the association is aborted instead. */
  #notDurable(err: unknown, cs: CommandSet): never {
    this.#assoc.abortNotDurable(commandFieldName(cs.commandField) ?? 'response', err);
    throw new DimseError('DT_ERR_AUDIT_NOT_DURABLE', 'events of this operation could not be made durable', {
      messageId: cs.messageIdBeingRespondedTo,
      cause: (err as Error).message,
    });
  }

  async #sendStream(contextId: number, chunks: AsyncIterable<Buffer>, maxPdu: number): Promise<void> {
    const max = maxFragmentLength(maxPdu);
    let held: Buffer | undefined;
    let carry: Buffer[] = [];
    let carried = 0;
    const flush = async (data: Buffer, isLast: boolean): Promise<void> => {
      if (!this.#assoc.dul.sendPData([{ contextId, isCommand: false, isLast, data }])) await this.#drained();
      if (this.#assoc.outcome)
        throw new DimseError('DT_ERR_DIMSE_ASSOCIATION_ENDED', 'association ended while sending');
    };
    for await (const chunk of chunks) {
      carry.push(chunk);
      carried += chunk.length;
      while (carried > max) {
        const all = carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried);
        if (held) await flush(held, false);
        held = all.subarray(0, max);
        const rest = all.subarray(max);
        carry = rest.length > 0 ? [rest] : [];
        carried = rest.length;
      }
    }
    if (carried > 0) {
      if (held) await flush(held, false);
      held = carry.length === 1 ? carry[0]! : Buffer.concat(carry, carried);
    }
    await flush(held ?? Buffer.alloc(0), true);
  }

  /** The final response to message `id`, once it comes; pending ones go to `onPending`. */
  #awaitResponse(id: number, onPending?: (m: DimseMessage) => void): Promise<DimseMessage> {
    const p = new Promise<DimseMessage>((resolve, reject) =>
      this.#waiters.set(id, { resolve, reject, ...(onPending ? { onPending } : {}) }),
    );
    // An abort while sending rejects the waiter before anyone awaits it: that is the send's failure, not
    // an unhandled rejection (which would end the process).
    p.catch(() => undefined);
    return p;
  }

  /** Sends a request and waits for its final response; pending responses go to `onPending`. */
  async request(
    context: NegotiatedContext,
    command: CommandSet,
    dataset?: Buffer | AsyncIterable<Buffer>,
    onPending?: (m: DimseMessage) => void,
    stored?: StoredFile,
  ): Promise<DimseMessage> {
    const id = command.messageId!;
    const p = this.#awaitResponse(id, onPending);
    try {
      await this.send(context, command, dataset, stored);
    } catch (err) {
      this.#waiters.delete(id);
      throw err;
    }
    return p;
  }

  /**
   * Opens a request whose data set follows fragment by fragment while another association receives it (the
   * audit proxy's cut-through C-STORE): the command goes out with the first fragment, in the same write.
   * Throws when the association is not established.
   */
  openRequest(
    context: NegotiatedContext,
    command: CommandSet,
    onPending?: (m: DimseMessage) => void,
  ): OpenedRequest {
    if (!this.#assoc.isEstablished)
      throw new DimseError('DT_ERR_DIMSE_NOT_ESTABLISHED', 'association is not established');
    const cs = withDatasetType(command, true);
    const id = cs.messageId!;
    const response = this.#awaitResponse(id, onPending);
    const max = this.#assoc.peerMaxPdu;
    // The command leaves with the first fragment (one write): a data set follows it in any case.
    let commandPdus: Pdv[][] | undefined = fragmentMessage(context.id, encodeCommandSet(cs), undefined, max);
    return {
      response,
      fragment: (data, last) => {
        let room = true;
        if (commandPdus) for (const pdvs of commandPdus) room = this.#assoc.dul.sendPData(pdvs) && room;
        commandPdus = undefined;
        for (const pdvs of refragment(context.id, data, last, max))
          room = this.#assoc.dul.sendPData(pdvs) && room;
        return room;
      },
      drained: () => this.#drained(),
      sent: (digest) =>
        this.#assoc.emit(
          'EVT_DIMSE_SENT',
          () => ({ message: describeCommand(context, cs, undefined, digest, this.#opts.bulkDataThreshold) }),
          id,
        ),
    };
  }

  abortPending(reason: string): void {
    for (const [id, w] of this.#waiters) {
      w.reject(
        new DimseError('DT_ERR_DIMSE_ASSOCIATION_ENDED', `no response to message ${id}: ${reason}`, {
          messageId: id,
        }),
      );
    }
    this.#waiters.clear();
    this.#incoming?.store?.discard();
    this.#incoming?.passage?.discard(reason);
    this.#incoming = undefined;
    if (this.#busy === 0) for (const w of this.#idleWaiters.splice(0)) w();
  }
}

/** What `send` returns when the message is out at once. */
const SENT: Promise<void> = Promise.resolve();

/** The requests that run as operations a C-CANCEL-RQ can name, by CommandField. */
const QUERY_RETRIEVE = new Map<number, 'C-FIND' | 'C-GET' | 'C-MOVE'>([
  [COMMAND_FIELDS['C-FIND-RQ'], 'C-FIND'],
  [COMMAND_FIELDS['C-GET-RQ'], 'C-GET'],
  [COMMAND_FIELDS['C-MOVE-RQ'], 'C-MOVE'],
]);

/** The command as sent: Command Data Set Type says whether a data set follows (keeping a received value). */
function withDatasetType(command: CommandSet, withDataset: boolean): CommandSet {
  const t = command.commandDataSetType;
  const type = !withDataset ? NO_DATASET : t !== undefined && t !== NO_DATASET ? t : DATASET_PRESENT;
  // Already so (every response built here): the command as it is, not a copy.
  return t === type ? command : { ...command, commandDataSetType: type };
}

export function sha256(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

export { hasDataset };
