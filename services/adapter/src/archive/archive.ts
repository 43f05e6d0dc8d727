/**
 * The standalone archive node: the default handler set bound on a DicomServer in `scp` mode, every one
 * replaceable by binding another handler for its event (pynetdicom's bound handlers):
 *
 * | event        | SOP classes                                    | handler |
 * | ------------ | ---------------------------------------------- | ------- |
 * | EVT_C_STORE  | every Storage SOP class                        | store to `<store>/<study>/<series>/<sop>.dcm`, then index |
 * | EVT_C_FIND   | Patient/Study Root FIND, Modality Worklist     | query-retrieve-handlers.ts, worklist.ts |
 * | EVT_C_GET    | Patient/Study Root GET                         | query-retrieve-handlers.ts |
 * | EVT_C_MOVE   | Patient/Study Root MOVE                        | query-retrieve-handlers.ts |
 * | EVT_N_CREATE, EVT_N_SET, EVT_N_GET | MPPS                     | mpps.ts |
 * | EVT_N_ACTION | Storage Commitment Push Model                  | storage-commitment.ts |
 *
 * A request for any other SOP class that reaches a handler is answered 0x0122 (SOP class not supported);
 * presentation contexts for abstract syntaxes outside `abstractSyntaxes()` are rejected at
 * association time (result 3, abstract syntax not supported).
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '@dicomtrail/runtime';
import { letGo } from '../association/held-instances.js';
import type { StoredFile } from '../association/stored-file.js';
import type { AdapterEvent } from '../association/types.js';
import { sameDataset } from '../dataset/part10-digest.js';
import { isUid } from '../dataset/uid-syntax.js';
import {
  MODALITY_WORKLIST_FIND,
  MPPS,
  STORAGE_COMMITMENT_PUSH,
  STORAGE_SOP_CLASS_UIDS,
  VERIFICATION,
} from '../dataset/uids.js';
import type { HandlerRegistry } from '../events/event-bus.js';
import type { NServiceRequest, NServiceResult } from '../service-classes/n-services.js';
import type { CGetYield, CMoveYield, FindResult, QueryRequest } from '../service-classes/query-retrieve.js';
import { type HandlerResult, type ServiceRequest, statusOf } from '../service-classes/service-request.js';
import {
  CANNOT_UNDERSTAND,
  DUPLICATE_SOP_INSTANCE,
  defaultStoreHandler,
  filesHeldInstances,
  storageTarget,
} from '../service-classes/storage.js';
import { ArchiveIndex, type OpenStats } from './archive-index.js';
import { Tag } from './attributes.js';
import { fromHeader, readIndexedInstance, receivedIndexedInstance } from './instance-header.js';
import type { IndexedInstance } from './instance-index.js';
import type { MoveDestinations } from './move-destinations.js';
import { MppsStore } from './mpps.js';
import {
  findInIndex,
  getFromIndex,
  moveFromIndex,
  QR_MODELS,
  type QueryRetrieveOptions,
  SOP_CLASS_NOT_SUPPORTED,
  sopClassOf,
} from './query-retrieve-handlers.js';
import { requestCommitment, type StorageCommitmentOptions } from './storage-commitment.js';
import { removeUnrecorded, type UnrecordedStore } from './unrecorded-instances.js';
import { errorKind, findInWorklist, WorklistFolder } from './worklist.js';

/** Every abstract syntax the archive serves (the worklist only with a worklist folder). */
export function archiveAbstractSyntaxes(withWorklist: boolean): string[] {
  return [
    VERIFICATION,
    ...STORAGE_SOP_CLASS_UIDS,
    ...QR_MODELS.keys(),
    ...(withWorklist ? [MODALITY_WORKLIST_FIND] : []),
    MPPS,
    STORAGE_COMMITMENT_PUSH,
  ];
}

/**
 * Gives the event loop a turn after each result: sending does not wait for the socket, so without it a
 * C-CANCEL-RQ would be read only after the last result. With it the cancel is honoured at the next result.
 */
async function* withIoTurns<T>(results: Iterable<T>): AsyncGenerator<T> {
  for (const r of results) {
    yield r;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export interface ArchiveOptions {
  storeDir: string;
  /** Journal and MPPS folder (default `<storeDir>/.archive`). */
  indexDir?: string;
  aeTitle: string;
  destinations: MoveDestinations;
  worklistDir?: string;
  log: Logger;
  /** Bytes the store may hold; a C-STORE past it gets A700 (out of resources). Unset: no limit. */
  maxBytes?: number;
  /** MPPS steps kept at most; an N-CREATE past it gets 0x0213 (resource limitation). */
  maxMppsSteps?: number;
  /** Storage commitment: delay before the N-EVENT-REPORT (default 0). */
  commitmentReportDelayMs?: number;
}

function requestedSopClass(req: NServiceRequest): string {
  return req.request.requestedSopClassUid ?? req.request.affectedSopClassUid ?? req.context.abstractSyntax;
}

export class Archive {
  readonly index: ArchiveIndex;
  readonly mpps: MppsStore;
  readonly worklist: WorklistFolder | undefined;
  readonly openStats: OpenStats;
  readonly #opts: ArchiveOptions;
  readonly #qr: QueryRetrieveOptions;
  readonly #commitment: StorageCommitmentOptions;
  readonly #fileInstance: (req: ServiceRequest) => HandlerResult | Promise<HandlerResult>;
  /** Filed instances not indexed yet (their response being sent): SOP Instance UID → path, and their bytes. */
  readonly #unindexed = new Map<string, string>();
  #unindexedBytes = 0;

  constructor(opts: ArchiveOptions) {
    this.#opts = opts;
    const indexDir = path.resolve(opts.indexDir ?? path.join(opts.storeDir, '.archive'));
    const { archiveIndex, stats } = ArchiveIndex.open({
      storeDir: opts.storeDir,
      indexDir,
      log: opts.log,
      countBytes: opts.maxBytes !== undefined,
    });
    this.index = archiveIndex;
    this.#fileInstance = defaultStoreHandler(archiveIndex.storeDir);
    this.openStats = stats;
    this.mpps = new MppsStore(path.join(indexDir, 'mpps'), {
      log: opts.log,
      ...(opts.maxMppsSteps !== undefined ? { maxSteps: opts.maxMppsSteps } : {}),
    });
    this.worklist = opts.worklistDir
      ? new WorklistFolder(path.resolve(opts.worklistDir), opts.log)
      : undefined;
    this.#qr = { index: archiveIndex.index, aeTitle: opts.aeTitle, destinations: opts.destinations };
    this.#commitment = {
      index: archiveIndex.index,
      aeTitle: opts.aeTitle,
      destinations: opts.destinations,
      log: opts.log,
      ...(opts.commitmentReportDelayMs !== undefined ? { reportDelayMs: opts.commitmentReportDelayMs } : {}),
    };
  }

  /** After a crash: removes the instances filed while their C-STORE was not recorded (unrecorded-instances.ts). */
  removeUnrecorded(storing: readonly UnrecordedStore[]): number {
    return removeUnrecorded(this.index, storing, this.#opts.log);
  }

  /**
   * C-STORE: refused when the data set's SOP Instance UID is not the request's (0xC000: the file would be
   * named by one and indexed by the other), when its SOP Instance UID is already stored elsewhere (another
   * study/series) with another data set (0x0111), or when the store would pass `maxBytes` (A700); then the
   * storage service's default filing, then the index. The index record is read and added after the response
   * is sent (StoredFile.afterResponse), before any later request is read; until then the instance counts in
   * #unindexed for the checks of C-STOREs in between (pipelined, or on other associations).
   */
  readonly store = filesHeldInstances(async (req: ServiceRequest): Promise<HandlerResult> => {
    const stored = req.stored!;
    const sop = req.request.affectedSopInstanceUid;
    // The receiver's quick scan found the data set's SOP Instance UID: when it is the request's, the record
    // is not needed before the response. Otherwise it is read now, to compare as the index will see it.
    const sameSop = sop !== undefined && stored.sopInstanceUid === sop && isUid(sop);
    const record = sameSop
      ? undefined
      : this.#indexRecord(stored, req.context.transferSyntax, stored.tempPath);
    const own = record?.attributes[Tag.SOPInstanceUID]?.Value?.[0];
    if (typeof own === 'string' && own.trim() !== sop)
      return {
        status: CANNOT_UNDERSTAND,
        errorComment: 'data set SOP Instance UID differs from the request',
      };
    const existing = sop ? (this.index.index.get(sop)?.path ?? this.#unindexed.get(sop)) : undefined;
    if (existing !== undefined) {
      const target = storageTarget(this.index.storeDir, req);
      if ('path' in target && target.path !== existing) {
        if (!sameDataset(stored.held ?? stored.tempPath, existing))
          return {
            status: DUPLICATE_SOP_INSTANCE,
            errorComment: 'SOP Instance UID already stored with other content',
          };
        if (stored.held) letGo(stored);
        else rmSync(stored.tempPath, { force: true });
        stored.finalPath = existing;
        return 0x0000;
      }
    }
    const quota = this.#opts.maxBytes;
    if (quota !== undefined && this.index.storedBytes + this.#unindexedBytes + stored.fileBytes > quota)
      return { status: 0xa700, errorComment: 'archive full (ARCHIVE_MAX_BYTES)' };
    // Filing lets go of the bytes held: kept here for the record read after the response.
    const held = stored.held;
    const result = await this.#fileInstance(req);
    const file = stored.finalPath;
    // (No SOP Instance UID: the default filing refuses the instance.)
    if (statusOf(result).status === 0x0000 && file && sop) {
      const counted = existing === file ? 0 : stored.fileBytes;
      this.#unindexed.set(sop, file);
      this.#unindexedBytes += counted;
      stored.afterResponse = () => {
        if (this.#unindexed.get(sop) === file) this.#unindexed.delete(sop);
        this.#unindexedBytes -= counted;
        const rec = record ?? this.#indexRecord(stored, req.context.transferSyntax, file, held);
        this.#index(rec, file, stored.fileBytes);
      };
    }
    return result;
  });

  /** Indexes a filed instance: from its record, else read back from the file. */
  #index(record: IndexedInstance | undefined, file: string, bytes: number): void {
    try {
      const inst = record ? { ...record, path: file } : readIndexedInstance(file);
      this.index.add(inst, bytes);
    } catch (err) {
      // Stored but not indexed: the next start-up scan picks it up.
      this.#opts.log.warn(
        { component: 'archive', error: errorKind(err) },
        'stored instance could not be indexed',
      );
    }
  }

  /**
   * The index record of a received instance (its path set once filed): from the header's DICOM JSON if an
   * event already decoded it here, else from the quick reader on the bytes held (`held`: kept by the caller
   * once filing let go of them) or the file (`file`: the temporary one before filing, the filed one after);
   * undefined when they do not read.
   */
  #indexRecord(
    stored: StoredFile,
    transferSyntax: string,
    file: string,
    held = stored.held,
  ): IndexedInstance | undefined {
    try {
      const header = stored.header?.peek();
      if (header) return fromHeader(file, transferSyntax, header);
      return held
        ? receivedIndexedInstance(held, stored.datasetBytes, transferSyntax, file)
        : readIndexedInstance(file);
    } catch {
      return undefined;
    }
  }

  readonly find = (req: QueryRequest): AsyncIterable<FindResult> => {
    const sopClass = sopClassOf(req);
    if (sopClass === MODALITY_WORKLIST_FIND)
      return withIoTurns(
        this.worklist ? findInWorklist(this.worklist, req) : [[SOP_CLASS_NOT_SUPPORTED] as const],
      );
    return withIoTurns(findInIndex(this.#qr, req));
  };

  /** The abstract syntaxes to accept. */
  abstractSyntaxes(): string[] {
    return archiveAbstractSyntaxes(this.worklist !== undefined);
  }

  readonly get = (req: QueryRequest): Iterable<CGetYield> => getFromIndex(this.#qr, req);

  readonly move = (req: QueryRequest & { moveDestination: string }): Iterable<CMoveYield> =>
    moveFromIndex(this.#qr, req);

  #mpps(op: 'nCreate' | 'nSet' | 'nGet'): (req: NServiceRequest) => NServiceResult {
    return (req) => (requestedSopClass(req) === MPPS ? this.mpps[op](req) : SOP_CLASS_NOT_SUPPORTED);
  }

  readonly nAction = (req: NServiceRequest): NServiceResult =>
    requestedSopClass(req) === STORAGE_COMMITMENT_PUSH
      ? requestCommitment(this.#commitment, req)
      : SOP_CLASS_NOT_SUPPORTED;

  /** Binds the default handler set (call before binding any replacement). */
  bind(handlers: HandlerRegistry<AdapterEvent>): void {
    handlers.handle('EVT_C_STORE', this.store);
    handlers.handle('EVT_C_FIND', this.find);
    handlers.handle('EVT_C_GET', this.get);
    handlers.handle('EVT_C_MOVE', this.move);
    handlers.handle('EVT_N_CREATE', this.#mpps('nCreate'));
    handlers.handle('EVT_N_SET', this.#mpps('nSet'));
    handlers.handle('EVT_N_GET', this.#mpps('nGet'));
    handlers.handle('EVT_N_ACTION', this.nAction);
  }

  close(): void {
    this.index.close();
  }
}
