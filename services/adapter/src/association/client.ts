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
import { readPart10 } from '../dataset/part10.js';
import { buildCEchoRq } from '../dimse/c-echo.js';
import { buildCStoreRq } from '../dimse/c-store.js';
import type { CommandSet } from '../dimse/command-set.js';
import { HandlerRegistry } from '../events/event-bus.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { UserIdentityRq } from '../pdu/items/user-identity-rq.js';
import { createDispatcher } from '../service-classes/dispatch.js';
import { Association } from './association.js';
import type { DimseMessage } from './dimse-service.js';
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

export interface AssociateOptions {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  contexts: ProposedContext[];
  userIdentity?: UserIdentityRq;
  maxPduReceive?: number;
  sinks?: EventSink[];
  log: Logger;
  handlers?: HandlerRegistry<AdapterEvent>;
  storeDir?: string;
  parent?: { association_id: string; message_id?: number };
  artimTimeoutMs?: number;
}

export class AssociationRejectedError extends DicomtrailError {}

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

  release(): Promise<void> {
    return this.association.release();
  }

  abort(): void {
    this.association.abort();
  }
}

export async function associate(opts: AssociateOptions): Promise<DicomClient> {
  const socket = connect({ host: opts.host, port: opts.port });
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  const handlers = opts.handlers ?? new HandlerRegistry<AdapterEvent>();
  const maxPdu = opts.maxPduReceive ?? 16384;
  const assoc = new Association({
    role: 'requestor',
    socket,
    handlers,
    sinks: opts.sinks ?? [],
    log: opts.log,
    maxPduReceive: maxPdu,
    artimTimeoutMs: opts.artimTimeoutMs ?? 30_000,
    callingAeTitle: opts.callingAeTitle,
    calledAeTitle: opts.calledAeTitle,
    ...(opts.parent ? { parent: opts.parent } : {}),
    services: {
      storeDir: opts.storeDir ?? '/tmp/dicomtrail-scu',
      bulkDataThreshold: 1024,
      implementationClassUid: DICOMTRAIL_IMPLEMENTATION_CLASS_UID,
      implementationVersionName: DICOMTRAIL_IMPLEMENTATION_VERSION,
      serve: createDispatcher({ storeDir: opts.storeDir ?? '/tmp/dicomtrail-scu' }),
    },
  });
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
  const answer = await assoc.request(rq, connected);
  if (answer.type === 'A-ASSOCIATE-RJ') {
    throw new AssociationRejectedError(
      'DT_ERR_ASSOCIATION_REJECTED',
      `association rejected: result ${answer.result} source ${answer.source} reason ${answer.reason}`,
      {
        result: answer.result,
        source: answer.source,
        reason: answer.reason,
      },
    );
  }
  return new DicomClient(assoc);
}
