/**
 * The requestor side (SCU API): `associate()` opens a connection and negotiates; the returned client
 * sends DIMSE requests (C-ECHO, C-STORE, ...), releases or aborts. Used by the tests, the proxy and
 * C-MOVE sub-associations.
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import { DicomtrailError } from '@dicomtrail/runtime';
import { DICOM_APPLICATION_CONTEXT } from '../acse/acceptor.js';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { readPart10 } from '../dataset/part10.js';
import { buildCCancelRq } from '../dimse/c-cancel.js';
import { buildCEchoRq } from '../dimse/c-echo.js';
import { buildCFindRq } from '../dimse/c-find.js';
import { buildCGetRq } from '../dimse/c-get.js';
import { buildCMoveRq } from '../dimse/c-move.js';
import { buildCStoreRq } from '../dimse/c-store.js';
import type { CommandSet } from '../dimse/command-set.js';
import { buildNActionRq } from '../dimse/n-action.js';
import { buildNCreateRq } from '../dimse/n-create.js';
import { buildNDeleteRq } from '../dimse/n-delete.js';
import { buildNEventReportRq } from '../dimse/n-event-report.js';
import { buildNGetRq } from '../dimse/n-get.js';
import { buildNSetRq } from '../dimse/n-set.js';
import { HandlerRegistry } from '../events/event-bus.js';
import type { AssociateAc } from '../pdu/associate-ac.js';
import type { AssociateRj } from '../pdu/associate-rj.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { UserIdentityRq } from '../pdu/items/user-identity-rq.js';
import { createDispatcher } from '../service-classes/dispatch.js';
import { connectTls, type OutboundTls } from '../tls/outbound-tls.js';
import { Association } from './association.js';
import type { DimseMessage, DimseServiceOptions } from './dimse-service.js';
import type { AdapterEvent, EventSink, NegotiatedContext } from './types.js';

export const DICOMTRAIL_IMPLEMENTATION_CLASS_UID = '1.2.826.0.1.3680043.10.1386.1.0';
export const DICOMTRAIL_IMPLEMENTATION_VERSION = 'DICOMTRAIL_010';

export interface ProposedContext {
  abstractSyntax: string;
  transferSyntaxes: string[];
  /** Role selection to propose (e.g. SCP role for storage contexts of a C-GET). */
  scuRole?: boolean;
  scpRole?: boolean;
}

/** Where and how a requestor association is opened, whatever builds its A-ASSOCIATE-RQ. */
export interface RequestorOptions {
  host: string;
  port: number;
  sinks?: EventSink[];
  log: Logger;
  handlers?: HandlerRegistry<AdapterEvent>;
  storeDir?: string;
  parent?: { association_id: string; message_id?: number };
  artimTimeoutMs?: number;
  /** DICOM TLS to the peer (tls/outbound-tls.ts), its files loaded; unset: plaintext. */
  tls?: OutboundTls;
}

export interface AssociateOptions extends RequestorOptions {
  callingAeTitle: string;
  calledAeTitle: string;
  contexts: ProposedContext[];
  userIdentity?: UserIdentityRq;
  maxPduReceive?: number;
}

export class AssociationRejectedError extends DicomtrailError {}

/** One C-FIND response as the SCU sees it. */
export interface FindResponse {
  status: number;
  identifier?: DicomJson;
  command: CommandSet;
}

/** A running C-FIND: iterate the responses (pending ones, then the final one); `cancel()` sends C-CANCEL-RQ. */
export type FindOperation = AsyncGenerator<FindResponse, void, undefined> & {
  readonly messageId: number;
  cancel(): Promise<void>;
};

/** The outcome of a C-GET or C-MOVE: the final response, its counts and failed instances. */
export interface RetrieveOutcome {
  status: number;
  completed: number;
  failed: number;
  warning: number;
  remaining?: number;
  failedSopInstanceUids: string[];
  /** Pending responses received before the final one. */
  pending: number;
  command: CommandSet;
}

export interface RetrieveOperation extends Promise<RetrieveOutcome> {
  readonly messageId: number;
  cancel(): Promise<void>;
}

/** The outcome of a DIMSE-N request: status and the reply data set, if any. */
export interface NResponse {
  status: number;
  dataset?: DicomJson;
  command: CommandSet;
}

export interface NOptions {
  /** The context's abstract syntax when it differs from the SOP class (e.g. a print meta SOP class). */
  abstractSyntax?: string;
}

export class DicomClient {
  readonly association: Association;

  constructor(association: Association) {
    this.association = association;
  }

  context(abstractSyntax: string, transferSyntax?: string): NegotiatedContext {
    for (const c of this.association.contexts.values()) {
      if (
        c.abstractSyntax === abstractSyntax &&
        (transferSyntax === undefined || c.transferSyntax === transferSyntax)
      )
        return c;
    }
    throw new DicomtrailError(
      'DT_ERR_NO_CONTEXT',
      `no accepted presentation context for ${abstractSyntax}${transferSyntax ? ` / ${transferSyntax}` : ''}`,
    );
  }

  async echo(): Promise<number> {
    const ctx = this.context('1.2.840.10008.1.1');
    const rsp = await this.association.dimse.request(
      ctx,
      buildCEchoRq({ messageId: this.association.dimse.nextMessageId() }),
    );
    return rsp.command.status ?? -1;
  }

  /** Sends a Part 10 file; the data set goes in the file's transfer syntax (a context for it must be accepted). */
  async storeFile(file: string): Promise<number> {
    const p10 = readPart10(await readFile(file));
    const sopClass = String(p10.fileMeta['00020002']?.Value?.[0] ?? '');
    const sopInstance = String(p10.fileMeta['00020003']?.Value?.[0] ?? '');
    return this.store(sopClass, sopInstance, p10.transferSyntaxUid, p10.datasetBytes);
  }

  async store(
    sopClassUid: string,
    sopInstanceUid: string,
    transferSyntax: string,
    dataset: Buffer | AsyncIterable<Buffer>,
  ): Promise<number> {
    const ctx = this.context(sopClassUid, transferSyntax);
    const rq = buildCStoreRq({
      messageId: this.association.dimse.nextMessageId(),
      affectedSopClassUid: sopClassUid,
      affectedSopInstanceUid: sopInstanceUid,
      priority: 0,
    });
    const rsp = await this.association.dimse.request(ctx, rq, dataset);
    return rsp.command.status ?? -1;
  }

  /** Any request; pending responses are yielded, then the final one. */
  async *requestAll(
    ctx: NegotiatedContext,
    command: CommandSet,
    dataset?: Buffer,
  ): AsyncGenerator<DimseMessage> {
    const queue: DimseMessage[] = [];
    let wake: (() => void) | undefined;
    let done: DimseMessage | undefined;
    let failed: unknown;
    this.association.dimse
      .request(ctx, command, dataset, (m) => {
        queue.push(m);
        wake?.();
      })
      .then(
        (m) => {
          done = m;
          wake?.();
        },
        (e: unknown) => {
          failed = e;
          wake?.();
        },
      );
    for (;;) {
      if (queue.length > 0) {
        yield queue.shift()!;
        continue;
      }
      if (failed) throw failed;
      if (done) {
        yield done;
        return;
      }
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  }

  #decode(ctx: NegotiatedContext, bytes: Buffer | undefined): DicomJson | undefined {
    if (!bytes) return undefined;
    return datasetToDicomJson(bytes, {
      transferSyntaxUid: ctx.transferSyntax,
      bulkDataThreshold: Number.MAX_SAFE_INTEGER,
      valueLimit: Number.POSITIVE_INFINITY,
    });
  }

  #cancel(ctx: NegotiatedContext, messageId: number): () => Promise<void> {
    let sent = false;
    return async () => {
      if (sent || !this.association.isEstablished) return;
      sent = true;
      await this.association.dimse.send(ctx, buildCCancelRq({ messageIdBeingRespondedTo: messageId }));
    };
  }

  /** C-FIND: the request is sent at once; iterate for the responses, `cancel()` to send a C-CANCEL-RQ. */
  find(abstractSyntax: string, identifier: DicomJson, opts: { priority?: number } = {}): FindOperation {
    const ctx = this.context(abstractSyntax);
    const messageId = this.association.dimse.nextMessageId();
    const rq = buildCFindRq({
      messageId,
      affectedSopClassUid: abstractSyntax,
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    });
    const messages = this.requestAll(ctx, rq, encodeDataset(identifier, ctx.transferSyntax));
    const decode = (m: DimseMessage): FindResponse => {
      const id = this.#decode(ctx, m.dataset);
      return { status: m.command.status ?? -1, command: m.command, ...(id ? { identifier: id } : {}) };
    };
    const gen = (async function* () {
      for await (const m of messages) yield decode(m);
    })();
    // Start the request now (requestAll is lazy), so cancel() has something to cancel.
    const first = messages.next();
    const started = (async function* () {
      const r = await first;
      if (r.done) return;
      yield decode(r.value);
      yield* gen;
    })();
    return Object.assign(started, { messageId, cancel: this.#cancel(ctx, messageId) });
  }

  #retrieve(ctx: NegotiatedContext, rq: CommandSet, identifier: DicomJson): RetrieveOperation {
    const messageId = rq.messageId!;
    let pending = 0;
    const p = this.association.dimse
      .request(ctx, rq, encodeDataset(identifier, ctx.transferSyntax), () => {
        pending++;
      })
      .then((m): RetrieveOutcome => {
        const c = m.command;
        let failedUids: string[] = [];
        try {
          const v = this.#decode(ctx, m.dataset)?.['00080058']?.Value;
          if (v) failedUids = v.map(String);
        } catch {
          // an undecodable identifier leaves the list empty
        }
        return {
          status: c.status ?? -1,
          completed: c.numberOfCompletedSuboperations ?? 0,
          failed: c.numberOfFailedSuboperations ?? 0,
          warning: c.numberOfWarningSuboperations ?? 0,
          ...(c.numberOfRemainingSuboperations !== undefined
            ? { remaining: c.numberOfRemainingSuboperations }
            : {}),
          failedSopInstanceUids: failedUids,
          pending,
          command: c,
        };
      });
    return Object.assign(p, { messageId, cancel: this.#cancel(ctx, messageId) });
  }

  /**
   * C-GET: the C-STORE sub-operations arrive on this association and are served by its dispatcher
   * (the bound EVT_C_STORE handler, or the store directory): propose the storage contexts with `scpRole: true`.
   */
  get(abstractSyntax: string, identifier: DicomJson, opts: { priority?: number } = {}): RetrieveOperation {
    const ctx = this.context(abstractSyntax);
    const rq = buildCGetRq({
      messageId: this.association.dimse.nextMessageId(),
      affectedSopClassUid: abstractSyntax,
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    });
    return this.#retrieve(ctx, rq, identifier);
  }

  /** C-MOVE to the AE title `destination` (the SCP resolves it to an address). */
  move(
    abstractSyntax: string,
    destination: string,
    identifier: DicomJson,
    opts: { priority?: number } = {},
  ): RetrieveOperation {
    const ctx = this.context(abstractSyntax);
    const rq = buildCMoveRq({
      messageId: this.association.dimse.nextMessageId(),
      affectedSopClassUid: abstractSyntax,
      moveDestination: destination,
      ...(opts.priority !== undefined ? { priority: opts.priority } : {}),
    });
    return this.#retrieve(ctx, rq, identifier);
  }

  async #n(abstractSyntax: string, rq: CommandSet, dataset?: DicomJson): Promise<NResponse> {
    const ctx = this.context(abstractSyntax);
    const rsp = await this.association.dimse.request(
      ctx,
      rq,
      dataset ? encodeDataset(dataset, ctx.transferSyntax) : undefined,
    );
    const ds = this.#decode(ctx, rsp.dataset);
    return { status: rsp.command.status ?? -1, command: rsp.command, ...(ds ? { dataset: ds } : {}) };
  }

  nEventReport(
    sopClassUid: string,
    sopInstanceUid: string,
    eventTypeId: number,
    eventInformation?: DicomJson,
    opts: NOptions = {},
  ): Promise<NResponse> {
    const rq = buildNEventReportRq({
      messageId: this.association.dimse.nextMessageId(),
      affectedSopClassUid: sopClassUid,
      affectedSopInstanceUid: sopInstanceUid,
      eventTypeId,
      withDataset: eventInformation !== undefined,
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq, eventInformation);
  }

  /** N-GET; `attributes` as 0xggggeeee tags (omitted: all). */
  nGet(
    sopClassUid: string,
    sopInstanceUid: string,
    attributes?: number[],
    opts: NOptions = {},
  ): Promise<NResponse> {
    const rq = buildNGetRq({
      messageId: this.association.dimse.nextMessageId(),
      requestedSopClassUid: sopClassUid,
      requestedSopInstanceUid: sopInstanceUid,
      ...(attributes ? { attributeIdentifierList: attributes } : {}),
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq);
  }

  nSet(
    sopClassUid: string,
    sopInstanceUid: string,
    modificationList: DicomJson,
    opts: NOptions = {},
  ): Promise<NResponse> {
    const rq = buildNSetRq({
      messageId: this.association.dimse.nextMessageId(),
      requestedSopClassUid: sopClassUid,
      requestedSopInstanceUid: sopInstanceUid,
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq, modificationList);
  }

  nAction(
    sopClassUid: string,
    sopInstanceUid: string,
    actionTypeId: number,
    actionInformation?: DicomJson,
    opts: NOptions = {},
  ): Promise<NResponse> {
    const rq = buildNActionRq({
      messageId: this.association.dimse.nextMessageId(),
      requestedSopClassUid: sopClassUid,
      requestedSopInstanceUid: sopInstanceUid,
      actionTypeId,
      withDataset: actionInformation !== undefined,
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq, actionInformation);
  }

  /** N-CREATE; without `sopInstanceUid` the SCP assigns one (in the response's `command.affectedSopInstanceUid`). */
  nCreate(
    sopClassUid: string,
    sopInstanceUid: string | undefined,
    attributeList?: DicomJson,
    opts: NOptions = {},
  ): Promise<NResponse> {
    const rq = buildNCreateRq({
      messageId: this.association.dimse.nextMessageId(),
      affectedSopClassUid: sopClassUid,
      ...(sopInstanceUid !== undefined ? { affectedSopInstanceUid: sopInstanceUid } : {}),
      withDataset: attributeList !== undefined,
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq, attributeList);
  }

  nDelete(sopClassUid: string, sopInstanceUid: string, opts: NOptions = {}): Promise<NResponse> {
    const rq = buildNDeleteRq({
      messageId: this.association.dimse.nextMessageId(),
      requestedSopClassUid: sopClassUid,
      requestedSopInstanceUid: sopInstanceUid,
    });
    return this.#n(opts.abstractSyntax ?? sopClassUid, rq);
  }

  release(): Promise<void> {
    return this.association.release();
  }

  abort(): void {
    this.association.abort();
  }
}

export async function associate(opts: AssociateOptions): Promise<DicomClient> {
  const maxPdu = opts.maxPduReceive ?? 16384;
  const rq: AssociateRq = {
    type: 'A-ASSOCIATE-RQ',
    protocolVersion: 1,
    calledAeTitle: opts.calledAeTitle,
    callingAeTitle: opts.callingAeTitle,
    applicationContextName: DICOM_APPLICATION_CONTEXT,
    presentationContexts: opts.contexts.map((c, i) => ({
      id: 2 * i + 1,
      abstractSyntax: c.abstractSyntax,
      transferSyntaxes: c.transferSyntaxes,
    })),
    userInformation: {
      maxLength: maxPdu,
      implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
      roleSelections: opts.contexts
        .filter((c) => c.scuRole !== undefined || c.scpRole !== undefined)
        .map((c) => ({
          sopClassUid: c.abstractSyntax,
          scuRole: c.scuRole ?? true,
          scpRole: c.scpRole ?? false,
        })),
      sopClassExtended: [],
      sopClassCommonExtended: [],
      unknownItems: [],
      ...(opts.userIdentity ? { userIdentity: opts.userIdentity } : {}),
    },
  };
  const { association, answer, connectError } = await requestAssociation({ ...opts, rq });
  if (answer.type === 'A-ASSOCIATE-RJ') {
    // A transport that never connected (refused, a TLS handshake that failed) says why.
    const why = connectError ? `; the connection failed: ${connectError.message}` : '';
    throw new AssociationRejectedError(
      'DT_ERR_ASSOCIATION_REJECTED',
      `association rejected: result ${answer.result} source ${answer.source} reason ${answer.reason}${why}`,
      {
        result: answer.result,
        source: answer.source,
        reason: answer.reason,
      },
    );
  }
  return new DicomClient(association);
}

export interface AssociationRequest extends RequestorOptions {
  /** The A-ASSOCIATE-RQ as it goes out (its User Information's maximum length is our receive limit). */
  rq: AssociateRq;
  /** Gives up on a TCP connection not accepted within this time (ms; default: the OS's). */
  connectTimeoutMs?: number;
  /** Binary values longer than this are elided from events (default 1024). */
  bulkDataThreshold?: number;
  /** Serves requests the peer sends on this association (default: the SCU's dispatcher, e.g. C-GET stores). */
  serve?: DimseServiceOptions<Association>['serve'];
  onCancel?: DimseServiceOptions<Association>['onCancel'];
}

export interface AssociationAnswer {
  association: Association;
  answer: AssociateAc | AssociateRj;
  /** Set when the transport never connected (the answer is then the local stand-in reject). */
  connectError?: Error;
}

/**
 * Opens a connection and sends `rq` as it is; resolves with the peer's AC or RJ (never throws for a reject:
 * the audit proxy relays it). A transport that cannot connect resolves with `connectError` set.
 */
export async function requestAssociation(opts: AssociationRequest): Promise<AssociationAnswer> {
  const socket = opts.tls
    ? connectTls(opts.host, opts.port, opts.tls)
    : connect({ host: opts.host, port: opts.port });
  let connectError: Error | undefined;
  const connected = new Promise<void>((resolve, reject) => {
    const timer =
      opts.connectTimeoutMs !== undefined
        ? setTimeout(
            () => socket.destroy(new Error(`no connection within ${opts.connectTimeoutMs} ms`)),
            opts.connectTimeoutMs,
          )
        : undefined;
    // Over TLS the association starts once the handshake verified the peer.
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      connectError = err;
      reject(err);
    });
  });
  const storeDir = opts.storeDir ?? '/tmp/dicomtrail-scu';
  const association = new Association({
    role: 'requestor',
    socket,
    handlers: opts.handlers ?? new HandlerRegistry<AdapterEvent>(),
    sinks: opts.sinks ?? [],
    log: opts.log,
    maxPduReceive: opts.rq.userInformation.maxLength ?? 16384,
    artimTimeoutMs: opts.artimTimeoutMs ?? 30_000,
    callingAeTitle: opts.rq.callingAeTitle,
    calledAeTitle: opts.rq.calledAeTitle,
    ...(opts.parent ? { parent: opts.parent } : {}),
    services: {
      storeDir,
      bulkDataThreshold: opts.bulkDataThreshold ?? 1024,
      implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
      serve: opts.serve ?? createDispatcher({ storeDir, associate }),
      ...(opts.serve ? {} : { holdSmall: true }),
      ...(opts.onCancel ? { onCancel: opts.onCancel } : {}),
    },
  });
  const answer = await association.request(opts.rq, connected);
  return { association, answer, ...(connectError ? { connectError } : {}) };
}
