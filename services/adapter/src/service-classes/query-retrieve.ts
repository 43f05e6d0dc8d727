/**
 * Query/Retrieve Service Class (PS3.4 Annex C) as SCP: C-FIND (EVT_C_FIND), C-GET (EVT_C_GET) and
 * C-MOVE (EVT_C_MOVE), with pynetdicom's handler contracts (spec §3):
 *
 * - C-FIND: the handler returns an (async) iterable of `[status, identifier]`. Pending results
 *   (0xFF00/0xFF01) are sent with their identifier; a warning is sent and iteration goes on; a
 *   success/failure/cancel ends the operation; when the iterable is exhausted 0x0000 is sent. A
 *   C-CANCEL-RQ is honoured at the next result (0xFE00). Handler exception or none bound → 0xC311.
 * - C-GET: first yield the number of sub-operations, then `[status, dataset]` items; each dataset
 *   (DICOM JSON or a Part 10 file path) goes as a C-STORE-RQ on the same association, on a context
 *   for which the requestor accepted the SCP role, followed by a pending C-GET-RSP with the counts.
 *   Exception → 0xC411.
 * - C-MOVE: first yield the destination `[host, port]` (or `null` → 0xA801), then the count, then
 *   items; the datasets go over a new requestor association to the destination (its events carry
 *   `parent`). Exception → 0xC511.
 *
 * Final status of a retrieve: 0x0000 without failures or warnings, 0xA702 when every sub-operation
 * failed, otherwise 0xB000 with a Failed SOP Instance UID List (0008,0058); 0xFE00 on cancel.
 */

import { readFile } from 'node:fs/promises';
import type { ParamsOf } from '@dicomtrail/schemas';
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import type { EventSink, NegotiatedContext } from '../association/types.js';
import { type DicomJson, datasetToDicomJson } from '../dataset/dicom-json.js';
import { encodeDataset } from '../dataset/encode-dataset.js';
import { readPart10 } from '../dataset/part10.js';
import {
  EXPLICIT_VR_LITTLE_ENDIAN,
  IMPLICIT_VR_LITTLE_ENDIAN,
  transferSyntax,
} from '../dataset/transfer-syntaxes.js';
import { buildCFindRsp } from '../dimse/c-find.js';
import { buildCGetRsp, type SubOperationCounts } from '../dimse/c-get.js';
import { buildCMoveRsp } from '../dimse/c-move.js';
import { buildCStoreRq } from '../dimse/c-store.js';
import { type CommandSet, priorityOf } from '../dimse/command-set.js';
import { statusCategory } from '../dimse/status.js';
import type { EmitParams } from '../events/emitter.js';
import { errorFields } from '../events/log-fields.js';
import type { OutboundTls } from '../tls/outbound-tls.js';
import { type ServiceRequest, toRequest } from './service-request.js';

/** Binary values above this size are elided in event identifiers. */
const EVENT_BULK_THRESHOLD = 1024;

/** What a C-FIND/C-GET/C-MOVE handler receives: the request plus its identifier as DICOM JSON. */
export interface QueryRequest extends ServiceRequest {
  identifier: DicomJson;
}

export type MaybeAsyncIterable<T> = Iterable<T> | AsyncIterable<T>;

export type FindResult = readonly [status: number, identifier?: DicomJson | null];
export type CFindHandler = (
  req: QueryRequest,
) => MaybeAsyncIterable<FindResult> | Promise<MaybeAsyncIterable<FindResult>>;

/** A sub-operation's instance: DICOM JSON (encoded in the context's transfer syntax) or a Part 10 file path. */
export type RetrieveDataset = DicomJson | string;
export type RetrieveResult = readonly [status: number, dataset?: RetrieveDataset | null];

export type CGetYield = number | RetrieveResult;
export type CGetHandler = (
  req: QueryRequest,
) => MaybeAsyncIterable<CGetYield> | Promise<MaybeAsyncIterable<CGetYield>>;

export interface MoveDestinationOptions {
  /** Contexts to propose to the destination; default: one per SOP class / transfer syntax of the datasets. */
  contexts?: { abstractSyntax: string; transferSyntaxes: string[] }[];
  /** Calling AE title of the sub-association; default our AE title (the C-MOVE's called AE). */
  callingAeTitle?: string;
  maxPduReceive?: number;
  /** DICOM TLS to the destination (tls/outbound-tls.ts, its files loaded). */
  tls?: OutboundTls;
}
export type MoveDestination =
  | readonly [host: string, port: number]
  | readonly [host: string, port: number, options: MoveDestinationOptions]
  | readonly [null, null]
  | null;
export type CMoveYield = MoveDestination | number | RetrieveResult;
export type CMoveHandler = (
  req: QueryRequest & { moveDestination: string },
) => MaybeAsyncIterable<CMoveYield> | Promise<MaybeAsyncIterable<CMoveYield>>;

function contextParams(c: NegotiatedContext): ParamsOf<'EVT_C_FIND'>['context'] {
  return { id: c.id, abstract_syntax: c.abstractSyntax, transfer_syntax: c.transferSyntax };
}

function iterate<T>(it: MaybeAsyncIterable<T>): AsyncIterator<T> | Iterator<T> {
  if (Symbol.asyncIterator in it) return (it as AsyncIterable<T>)[Symbol.asyncIterator]();
  return (it as Iterable<T>)[Symbol.iterator]();
}

function isIterable(v: unknown): v is MaybeAsyncIterable<unknown> {
  return (
    typeof v === 'object' && v !== null && (Symbol.iterator in (v as object) || Symbol.asyncIterator in v)
  );
}

/**
 * Decodes the request identifier; `undefined` when it does not parse. The handler's and the events' decode
 * is the same one (same options), made once (dicom-json.ts).
 */
function decodeIdentifier(msg: DimseMessage, threshold = EVENT_BULK_THRESHOLD): DicomJson | undefined {
  if (!msg.dataset) return {};
  try {
    return datasetToDicomJson(msg.dataset, {
      transferSyntaxUid: msg.context.transferSyntax,
      bulkDataThreshold: threshold,
    });
  } catch {
    return undefined;
  }
}

function eventIdentifier(msg: DimseMessage): DicomJson {
  return decodeIdentifier(msg, EVENT_BULK_THRESHOLD) ?? {};
}

function queryRequest(assoc: Association, msg: DimseMessage, identifier: DicomJson): QueryRequest {
  return { ...toRequest(assoc, msg), identifier };
}

// ---------------------------------------------------------------------------------------- C-FIND

export async function serveCFind(assoc: Association, msg: DimseMessage): Promise<void> {
  const rq = msg.command;
  const ts = msg.context.transferSyntax;
  let responses = 0;
  let cancelled = false;
  let status = 0x0000;
  let errorComment: string | undefined;
  const send = async (cs: CommandSet, ds?: Buffer): Promise<void> => {
    responses++;
    await assoc.dimse.send(msg.context, cs, ds);
  };
  const identifier = decodeIdentifier(msg);
  const handler = assoc.handlers.interventionHandler('EVT_C_FIND') as CFindHandler | undefined;
  if (identifier === undefined) {
    status = 0xc310;
    errorComment = 'identifier does not decode';
  } else if (!handler) {
    status = 0xc311;
    errorComment = 'no C-FIND handler';
  } else {
    const req = queryRequest(assoc, msg, identifier);
    try {
      const results = await handler(req);
      if (!isIterable(results)) throw new TypeError('C-FIND handler must return an iterable');
      const it = iterate(results);
      for (;;) {
        const r = await it.next();
        if (req.isCancelled()) {
          cancelled = true;
          status = 0xfe00;
          await it.return?.();
          break;
        }
        if (r.done) break;
        const [code, ds] = r.value;
        const category = statusCategory(code);
        if (category === 'pending') {
          let bytes: Buffer | undefined;
          try {
            bytes = ds ? encodeDataset(ds, ts) : undefined;
          } catch (err) {
            assoc.log.error({ err }, 'C-FIND identifier does not encode');
            status = 0xc312;
            errorComment = 'identifier does not encode';
            await it.return?.();
            break;
          }
          await send(buildCFindRsp(rq, code, {}, bytes !== undefined), bytes);
          continue;
        }
        if (category === 'warning') {
          await send(buildCFindRsp(rq, code, {}, false));
          continue;
        }
        status = code;
        if (category === 'cancel') cancelled = true;
        await it.return?.();
        break;
      }
    } catch (err) {
      assoc.log.error(errorFields(err), 'C-FIND handler failed');
      status = 0xc311;
      errorComment = String((err as Error)?.message ?? err).slice(0, 64);
    }
  }
  if (!assoc.isEstablished) return;
  assoc.emit(
    'EVT_C_FIND',
    () => ({
      context: contextParams(msg.context),
      message_id: rq.messageId ?? 0,
      affected_sop_class_uid: rq.affectedSopClassUid ?? msg.context.abstractSyntax,
      priority: priorityOf(rq),
      identifier: eventIdentifier(msg),
      status,
      status_category: statusCategory(status),
      ...(errorComment ? { error_comment: errorComment } : {}),
      responses: responses + 1,
      cancelled,
    }),
    rq.messageId,
  );
  await send(buildCFindRsp(rq, status, errorComment ? { errorComment } : {}, false));
}

// ------------------------------------------------------------------------- sub-operation instances

interface Instance {
  sopClassUid: string;
  sopInstanceUid: string;
  /** The transfer syntax of `bytes` (Part 10 file); undefined for JSON. */
  transferSyntax?: string;
  bytes?: Buffer;
  json?: DicomJson;
}

function firstString(json: DicomJson, tag: string): string {
  const v = json[tag]?.Value?.[0];
  return typeof v === 'string' ? v : '';
}

async function loadInstance(ds: RetrieveDataset): Promise<Instance> {
  if (typeof ds === 'string') {
    const p10 = readPart10(await readFile(ds));
    return {
      sopClassUid: String(p10.fileMeta['00020002']?.Value?.[0] ?? ''),
      sopInstanceUid: String(p10.fileMeta['00020003']?.Value?.[0] ?? ''),
      transferSyntax: p10.transferSyntaxUid,
      bytes: p10.datasetBytes,
    };
  }
  return { sopClassUid: firstString(ds, '00080016'), sopInstanceUid: firstString(ds, '00080018'), json: ds };
}

function isNative(ts: string): boolean {
  const t = transferSyntax(ts);
  return t !== undefined && !t.encapsulated;
}

/** Whether the instance can go in `ts`: as stored, or re-encoded between native transfer syntaxes. */
function canSend(inst: Instance, ts: string): boolean {
  if (inst.transferSyntax === ts) return true;
  if (inst.json) return isNative(ts);
  return inst.transferSyntax !== undefined && isNative(inst.transferSyntax) && isNative(ts);
}

function pickContext(contexts: Iterable<NegotiatedContext>, inst: Instance): NegotiatedContext | undefined {
  const candidates = [...contexts].filter((c) => c.abstractSyntax === inst.sopClassUid);
  return (
    candidates.find((c) => c.transferSyntax === inst.transferSyntax) ??
    candidates.find((c) => canSend(inst, c.transferSyntax))
  );
}

function encodeFor(inst: Instance, ts: string): Buffer {
  if (inst.bytes && inst.transferSyntax === ts) return inst.bytes;
  const json =
    inst.json ??
    datasetToDicomJson(inst.bytes!, {
      transferSyntaxUid: inst.transferSyntax!,
      bulkDataThreshold: Number.MAX_SAFE_INTEGER,
      valueLimit: Number.POSITIVE_INFINITY,
    });
  return encodeDataset(json, ts);
}

// ------------------------------------------------------------------------------ C-GET and C-MOVE

type RetrieveKind = 'C-GET' | 'C-MOVE';

interface Progress {
  total: number;
  completed: number;
  failed: number;
  warning: number;
  failedUids: string[];
}

function counts(p: Progress, withRemaining: boolean): SubOperationCounts {
  return {
    ...(withRemaining ? { remaining: Math.max(0, p.total - p.completed - p.failed - p.warning) } : {}),
    completed: p.completed,
    failed: p.failed,
    warning: p.warning,
  };
}

/** A sub-operation sender: stores one instance, returns the C-STORE-RSP status (undefined when not sent). */
type SubStore = (inst: Instance, index: number) => Promise<number | undefined>;

class RetrieveOperation {
  readonly progress: Progress = { total: 0, completed: 0, failed: 0, warning: 0, failedUids: [] };
  responses = 0;
  status: number | undefined;
  errorComment: string | undefined;
  cancelled = false;
  readonly #assoc: Association;
  readonly #msg: DimseMessage;
  readonly #kind: RetrieveKind;

  constructor(assoc: Association, msg: DimseMessage, kind: RetrieveKind) {
    this.#assoc = assoc;
    this.#msg = msg;
    this.#kind = kind;
  }

  fail(status: number, comment: string): void {
    this.status = status;
    this.errorComment = comment.slice(0, 64);
  }

  #rsp(status: number, c: SubOperationCounts | undefined, extra: Partial<CommandSet>, ds: boolean) {
    return this.#kind === 'C-GET'
      ? buildCGetRsp(this.#msg.command, status, c, extra, ds)
      : buildCMoveRsp(this.#msg.command, status, c, extra, ds);
  }

  async pending(): Promise<void> {
    this.responses++;
    await this.#assoc.dimse.send(
      this.#msg.context,
      this.#rsp(0xff00, counts(this.progress, true), {}, false),
    );
  }

  /** Runs the items after the count: one sub-operation per pending item, until the handler ends or cancels. */
  async run(items: AsyncIterator<unknown> | Iterator<unknown>, store: SubStore): Promise<void> {
    const req = this.#msg.command.messageId ?? -1;
    let index = 0;
    for (;;) {
      if (this.#assoc.dimse.isCancelled(req)) {
        this.cancelled = true;
        this.status = 0xfe00;
        await items.return?.();
        return;
      }
      const r = await items.next();
      if (r.done) return;
      const item = r.value as RetrieveResult;
      if (!Array.isArray(item)) throw new TypeError(`${this.#kind} handler yielded a non-tuple`);
      const [code, ds] = item;
      const category = statusCategory(code);
      if (category === 'cancel') {
        this.cancelled = true;
        this.status = 0xfe00;
        await items.return?.();
        return;
      }
      if (category !== 'pending') {
        // A success ends early (final status computed from the counts); a failure/warning is the final status.
        if (category !== 'success') this.status = code;
        await items.return?.();
        return;
      }
      if (!ds) continue; // pynetdicom skips a falsy pending item
      let inst: Instance | undefined;
      let st: number | undefined;
      try {
        inst = await loadInstance(ds);
        st = await store(inst, index++);
      } catch (err) {
        if (!this.#assoc.isEstablished) throw err;
        this.#assoc.log.warn(errorFields(err), `${this.#kind} sub-operation failed`);
        st = undefined;
      }
      const cat = st === undefined ? 'failure' : statusCategory(st);
      if (cat === 'success') this.progress.completed++;
      else if (cat === 'warning') this.progress.warning++;
      else {
        this.progress.failed++;
        if (inst?.sopInstanceUid) this.progress.failedUids.push(inst.sopInstanceUid);
      }
      await this.pending();
    }
  }

  finalStatus(): number {
    if (this.status !== undefined) return this.status;
    const p = this.progress;
    if (p.failed === 0 && p.warning === 0) return 0x0000;
    if (p.completed === 0 && p.warning === 0) return 0xa702;
    return 0xb000;
  }

  /** Emits the operation's event (C-MOVE: with its destination) and sends the final response. */
  async finish(moveDestination?: string): Promise<void> {
    if (!this.#assoc.isEstablished) return;
    const status = this.finalStatus();
    const msg = this.#msg;
    const p = this.progress;
    const withRemaining = status === 0xfe00;
    const c = counts(p, withRemaining);
    let ds: Buffer | undefined;
    if (p.failedUids.length > 0) {
      try {
        ds = encodeDataset({ '00080058': { vr: 'UI', Value: p.failedUids } }, msg.context.transferSyntax);
      } catch (err) {
        this.#assoc.log.error({ err }, 'Failed SOP Instance UID List does not encode');
      }
    }
    const params = (): EmitParams<'EVT_C_GET'> => ({
      context: contextParams(msg.context),
      message_id: msg.command.messageId ?? 0,
      affected_sop_class_uid: msg.command.affectedSopClassUid ?? msg.context.abstractSyntax,
      priority: priorityOf(msg.command),
      identifier: eventIdentifier(msg),
      status,
      status_category: statusCategory(status),
      ...(this.errorComment ? { error_comment: this.errorComment } : {}),
      responses: this.responses + 1,
      cancelled: this.cancelled,
      ...(withRemaining ? { number_of_remaining_suboperations: c.remaining } : {}),
      number_of_completed_suboperations: p.completed,
      number_of_failed_suboperations: p.failed,
      number_of_warning_suboperations: p.warning,
      ...(p.failedUids.length > 0 ? { failed_sop_instance_uids: p.failedUids } : {}),
    });
    if (moveDestination === undefined) this.#assoc.emit('EVT_C_GET', params, msg.command.messageId);
    else
      this.#assoc.emit(
        'EVT_C_MOVE',
        () => ({ ...params(), move_destination: moveDestination }),
        msg.command.messageId,
      );
    this.responses++;
    await this.#assoc.dimse.send(
      msg.context,
      this.#rsp(status, c, this.errorComment ? { errorComment: this.errorComment } : {}, ds !== undefined),
      ds,
    );
  }
}

/** Reads the sub-operation count; returns false (status set) when it is not a valid count. */
async function readCount(
  op: RetrieveOperation,
  it: AsyncIterator<unknown> | Iterator<unknown>,
  badStatus: number,
  tooMany: number,
): Promise<boolean> {
  const r = await it.next();
  const n = r.done ? undefined : r.value;
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    op.fail(badStatus, 'the handler did not yield the number of sub-operations');
    return false;
  }
  if (n > 0xffff) {
    op.fail(tooMany, 'more than 65535 sub-operations');
    return false;
  }
  op.progress.total = Math.max(0, n);
  return n > 0;
}

function subStoreMessageId(rq: CommandSet, index: number): number {
  return (((rq.messageId ?? 0) + index) % 0xffff) + 1;
}

export async function serveCGet(assoc: Association, msg: DimseMessage): Promise<void> {
  const op = new RetrieveOperation(assoc, msg, 'C-GET');
  const identifier = decodeIdentifier(msg);
  const handler = assoc.handlers.interventionHandler('EVT_C_GET') as CGetHandler | undefined;
  if (identifier === undefined) op.fail(0xc410, 'identifier does not decode');
  else if (!handler) op.fail(0xc411, 'no C-GET handler');
  else {
    try {
      const results = await handler(queryRequest(assoc, msg, identifier));
      if (!isIterable(results)) throw new TypeError('C-GET handler must return an iterable');
      const it = iterate(results);
      if (await readCount(op, it, 0xc413, 0xc416)) {
        await op.run(it, async (inst, i) => {
          const ctx = pickContext(
            [...assoc.contexts.values()].filter((c) => c.requestorScp),
            inst,
          );
          if (!ctx) {
            assoc.log.warn(
              { sop_class_uid: inst.sopClassUid, transfer_syntax: inst.transferSyntax },
              'C-GET: no context with the SCP role for this instance',
            );
            return undefined;
          }
          const store = buildCStoreRq({
            messageId: subStoreMessageId(msg.command, i),
            affectedSopClassUid: inst.sopClassUid,
            affectedSopInstanceUid: inst.sopInstanceUid,
            priority: msg.command.priority ?? 0,
          });
          const rsp = await assoc.dimse.request(ctx, store, encodeFor(inst, ctx.transferSyntax));
          return rsp.command.status ?? 0xc000;
        });
      } else if (op.status === undefined) await it.return?.();
    } catch (err) {
      if (!assoc.isEstablished) return;
      assoc.log.error(errorFields(err), 'C-GET handler failed');
      op.fail(0xc411, String((err as Error)?.message ?? err));
    }
  }
  await op.finish();
}

function parseDestination(
  v: unknown,
): { host: string; port: number; options: MoveDestinationOptions } | null | 'bad' {
  if (v === null) return null;
  if (!Array.isArray(v)) return 'bad';
  const [host, port, options] = v as [unknown, unknown, unknown];
  if (host === null || host === undefined) return null;
  if (typeof host !== 'string' || typeof port !== 'number') return 'bad';
  return { host, port, options: (options ?? {}) as MoveDestinationOptions };
}

/** The contexts to propose for these instances: one per SOP class and stored transfer syntax. */
function proposeFor(
  instances: readonly Instance[],
): { abstractSyntax: string; transferSyntaxes: string[] }[] {
  const out = new Map<string, { abstractSyntax: string; transferSyntaxes: string[] }>();
  for (const inst of instances) {
    if (inst.transferSyntax) {
      const key = `${inst.sopClassUid}|${inst.transferSyntax}`;
      if (!out.has(key))
        out.set(key, { abstractSyntax: inst.sopClassUid, transferSyntaxes: [inst.transferSyntax] });
    }
  }
  for (const inst of instances) {
    if (inst.transferSyntax) continue;
    const key = `${inst.sopClassUid}|json`;
    if (!out.has(key))
      out.set(key, {
        abstractSyntax: inst.sopClassUid,
        transferSyntaxes: [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN],
      });
  }
  return [...out.values()].slice(0, 128);
}

/** A C-MOVE's association to its destination, as the SCU API opens it (association/client.ts `associate`). */
export interface SubAssociation {
  readonly association: Association;
  abort(): void;
  release(): Promise<void>;
}

/** Opens a C-MOVE's association to its destination (passed in, so that service classes need not import the SCU). */
export type OpenSubAssociation = (opts: {
  host: string;
  port: number;
  callingAeTitle: string;
  calledAeTitle: string;
  contexts: { abstractSyntax: string; transferSyntaxes: string[] }[];
  sinks: EventSink[];
  log: Association['log'];
  parent: { association_id: string; message_id?: number };
  maxPduReceive?: number;
}) => Promise<SubAssociation>;

export async function serveCMove(
  assoc: Association,
  msg: DimseMessage,
  associate: OpenSubAssociation,
): Promise<void> {
  const rq = msg.command;
  const moveDestination = rq.moveDestination ?? '';
  const op = new RetrieveOperation(assoc, msg, 'C-MOVE');
  const identifier = decodeIdentifier(msg);
  const handler = assoc.handlers.interventionHandler('EVT_C_MOVE') as CMoveHandler | undefined;
  if (identifier === undefined) op.fail(0xc510, 'identifier does not decode');
  else if (!handler) op.fail(0xc511, 'no C-MOVE handler');
  else {
    let sub: SubAssociation | undefined;
    try {
      const results = await handler({ ...queryRequest(assoc, msg, identifier), moveDestination });
      if (!isIterable(results)) throw new TypeError('C-MOVE handler must return an iterable');
      const it = iterate(results);
      const first = await it.next();
      const dest = first.done ? 'bad' : parseDestination(first.value);
      if (dest === null) op.fail(0xa801, `move destination unknown: ${moveDestination}`);
      else if (dest === 'bad') op.fail(0xc514, 'the handler did not yield a destination');
      else if (await readCount(op, it, 0xc513, 0xc516)) {
        // Without explicit contexts, the items are read first so the proposal covers their SOP classes.
        let items: AsyncIterator<unknown> | Iterator<unknown> = it;
        let contexts = dest.options.contexts;
        if (!contexts) {
          const buffered: unknown[] = [];
          const seen: Instance[] = [];
          for (let r = await it.next(); !r.done; r = await it.next()) {
            buffered.push(r.value);
            const v = r.value as RetrieveResult;
            if (Array.isArray(v) && statusCategory(v[0]) === 'pending' && v[1]) {
              const inst = await loadInstance(v[1]).catch(() => undefined);
              if (inst) seen.push({ ...inst, bytes: Buffer.alloc(0) });
            }
          }
          items = buffered[Symbol.iterator]();
          contexts = proposeFor(seen);
        }
        try {
          sub = await associate({
            host: dest.host,
            port: dest.port,
            callingAeTitle: dest.options.callingAeTitle ?? assoc.calledAeTitle,
            calledAeTitle: moveDestination,
            contexts,
            sinks: [...assoc.sinks],
            log: assoc.log,
            parent: {
              association_id: assoc.id,
              ...(rq.messageId !== undefined ? { message_id: rq.messageId } : {}),
            },
            ...(dest.options.maxPduReceive ? { maxPduReceive: dest.options.maxPduReceive } : {}),
            ...(dest.options.tls ? { tls: dest.options.tls } : {}),
          });
        } catch (err) {
          assoc.log.warn(
            { err, destination: moveDestination },
            'C-MOVE: association to the destination failed',
          );
          op.fail(0xa801, `association to ${moveDestination} failed`);
          await items.return?.();
        }
        if (sub) {
          const client = sub;
          await op.run(items, async (inst, i) => {
            const ctx = pickContext(client.association.contexts.values(), inst);
            if (!ctx) return undefined;
            const store = buildCStoreRq({
              messageId: subStoreMessageId(rq, i),
              affectedSopClassUid: inst.sopClassUid,
              affectedSopInstanceUid: inst.sopInstanceUid,
              priority: rq.priority ?? 0,
              moveOriginatorAeTitle: assoc.callingAeTitle,
              ...(rq.messageId !== undefined ? { moveOriginatorMessageId: rq.messageId } : {}),
            });
            const rsp = await client.association.dimse.request(
              ctx,
              store,
              encodeFor(inst, ctx.transferSyntax),
            );
            return rsp.command.status ?? 0xc000;
          });
        }
      } else if (op.status === undefined) await it.return?.();
    } catch (err) {
      if (!assoc.isEstablished) {
        sub?.abort();
        return;
      }
      assoc.log.error(errorFields(err), 'C-MOVE handler failed');
      op.fail(0xc511, String((err as Error)?.message ?? err));
    } finally {
      if (sub) await sub.release().catch(() => undefined);
    }
  }
  await op.finish(moveDestination);
}
