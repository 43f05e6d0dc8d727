/**
 * Storage Service Class (PS3.4 Annex B) as SCP: EVT_C_STORE. The instance has been received whole
 * (association/store-receiver.ts): a small one held in memory, a large one streamed to a temporary Part 10
 * file; the bound handler decides the status and what to keep. The default handler files it as
 * `<store>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOPInstanceUID>.dcm`, each a UID by PS3.5's syntax
 * (else 0xC000), never over an existing file: a small one written once under that name (write-once.ts), a
 * large one hard-linked there from its temporary file. The same data set again is a success, another one
 * under an already stored SOP Instance UID is refused with 0x0111. A handler that is not marked
 * `filesHeldInstances` gets every instance in a temporary file, as before small ones were held.
 * Disk errors and a store that cannot be written give A700 (out of resources); a handler exception gives C211.
 */
import { linkSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { discardStored, letGo } from '../association/held-instances.js';
import { inDir, spillHeld } from '../association/store-receiver.js';
import { sameDataset } from '../dataset/part10-digest.js';
import { insideDir, isUid } from '../dataset/uid-syntax.js';
import { buildCStoreRsp } from '../dimse/c-store.js';
import { priorityOf } from '../dimse/command-set.js';
import { statusCategory } from '../dimse/status.js';
import { errorFields } from '../events/log-fields.js';
import { type HandlerResult, type ServiceRequest, statusOf, toRequest } from './service-request.js';
import { STORE_UNWRITABLE, writeOnce } from './write-once.js';

export type CStoreHandler = (req: ServiceRequest) => HandlerResult | Promise<HandlerResult>;

/** A C-STORE whose Study, Series or SOP Instance UID is present but not a UID (PS3.4 B.2.3: cannot understand). */
export const CANNOT_UNDERSTAND = 0xc000;
/**
 * A C-STORE of a SOP Instance UID already stored with other content (PS3.7 Annex C 0111, Duplicate SOP
 * Instance): refused, so that no peer replaces an original. The same content again is a success.
 */
export const DUPLICATE_SOP_INSTANCE = 0x0111;

/** Handler errors answered A700 (out of resources): the disk, its permissions, a store that cannot be written. */
const OUT_OF_RESOURCES_CODES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EROFS', STORE_UNWRITABLE]);

const heldAware = new WeakSet<CStoreHandler>();

/** Marks a handler that files instances held in memory itself (`stored.held`); returns it. */
export function filesHeldInstances<H extends CStoreHandler>(handler: H): H {
  heldAware.add(handler);
  return handler;
}

export type StorageTarget = { path: string } | { status: number; errorComment: string };

/**
 * The store folder last asked about and, when it is absolute and normalized, the same string: then a path
 * below it is joined by concatenation, which gives exactly what path.join would (no path calls per instance).
 */
let lastStore: string | undefined;
let cleanStore: string | undefined;

function cleanStoreDir(storeDir: string): string | undefined {
  if (storeDir !== lastStore) {
    lastStore = storeDir;
    const clean =
      path.isAbsolute(storeDir) && path.normalize(storeDir) === storeDir && !storeDir.endsWith(path.sep);
    cleanStore = clean ? storeDir : undefined;
  }
  return cleanStore;
}

/**
 * Where the default handler files an instance: `<store>/<StudyInstanceUID>/<SeriesInstanceUID>/<SOP>.dcm`,
 * `unknown-study` / `unknown-series` for an absent value; a value that is present but not a UID refuses
 * the instance (0xC000), and so does any result outside the store.
 */
export function storageTarget(storeDir: string, req: ServiceRequest): StorageTarget {
  const study = req.stored?.studyInstanceUid || undefined;
  const series = req.stored?.seriesInstanceUid || undefined;
  const sop = req.request.affectedSopInstanceUid || undefined;
  const notUid =
    notAUid('Study Instance UID', study) ??
    notAUid('Series Instance UID', series) ??
    notAUid('SOP Instance UID', sop);
  if (notUid) return notUid;
  if (sop === undefined) return { status: CANNOT_UNDERSTAND, errorComment: 'no SOP Instance UID' };
  const base = cleanStoreDir(storeDir);
  // A UID (checked above) has no `/` and no `..`: the concatenation is inside the store by construction.
  if (base !== undefined)
    return {
      path: `${base}${path.sep}${study ?? 'unknown-study'}${path.sep}${series ?? 'unknown-series'}${path.sep}${sop}.dcm`,
    };
  const target = path.join(storeDir, study ?? 'unknown-study', series ?? 'unknown-series', `${sop}.dcm`);
  if (!insideDir(storeDir, target))
    return { status: CANNOT_UNDERSTAND, errorComment: 'storage path outside the store' };
  return { path: target };
}

/** The refusal of a value that is present and not a UID. */
function notAUid(name: string, v: string | undefined): StorageTarget | undefined {
  return v === undefined || isUid(v)
    ? undefined
    : { status: CANNOT_UNDERSTAND, errorComment: `${name} is not a UID` };
}

/**
 * Files the instance at `target` (inside `storeDir`) without ever replacing a file there: a held one is
 * written once under that name (O_EXCL), a temporary file hard-linked there (a link fails with EEXIST where a
 * rename would overwrite). An existing file with the same data set is kept and the instance counts as
 * stored; another data set is refused with 0x0111.
 */
export function fileInstance(req: ServiceRequest, storeDir: string, target: string): HandlerResult {
  const stored = req.stored!;
  const held = stored.held;
  let exists: boolean;
  if (held) {
    exists = writeOnce(storeDir, target, held) === 'exists';
  } else {
    try {
      inDir(path.dirname(target), () => linkSync(stored.tempPath, target));
      exists = false;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      exists = true;
    }
  }
  if (exists && !sameDataset(held ?? stored.tempPath, target))
    return {
      status: DUPLICATE_SOP_INSTANCE,
      errorComment: 'SOP Instance UID already stored with other content',
    };
  if (held) letGo(stored);
  else rmSync(stored.tempPath, { force: true });
  stored.finalPath = target;
  return 0x0000;
}

export function defaultStoreHandler(storeDir: string): CStoreHandler {
  return filesHeldInstances((req) => {
    const target = storageTarget(storeDir, req);
    if ('status' in target) return target;
    // Synchronous on purpose: a few quick file-system calls, no thread-pool round trips per instance.
    return fileInstance(req, storeDir, target.path);
  });
}

export async function serveCStore(assoc: Association, msg: DimseMessage, storeDir: string): Promise<void> {
  const req = toRequest(assoc, msg);
  const stored = msg.stored;
  let status: number;
  let errorComment: string | undefined;
  if (!stored || stored.error) {
    status = 0xa700;
    errorComment = `could not write the instance: ${stored?.error?.message ?? 'no data set'}`.slice(0, 64);
  } else if (!assoc.logged()) {
    // With a write-ahead log (AUDIT_DURABILITY=sync) the request's events are written to the log before the
    // instance is filed (no sync: a write survives the death of the process); one sync before the response
    // (dimse-service.ts) makes them durable with the EVT_C_STORE. After a crash, a filed instance whose
    // EVT_C_STORE is missing is removed (archive/unrecorded-instances.ts). Not filed when they cannot be written.
    status = 0xa700;
    errorComment = 'the event log cannot record this C-STORE';
  } else {
    const handler =
      (assoc.handlers.interventionHandler('EVT_C_STORE') as CStoreHandler | undefined) ??
      defaultStoreHandler(storeDir);
    try {
      if (!heldAware.has(handler)) spillHeld(stored);
      const r = statusOf(await handler(req));
      status = r.status;
      errorComment = r.errorComment;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      status = OUT_OF_RESOURCES_CODES.has(code ?? '') ? 0xa700 : 0xc211;
      // The error's message names the file, whose path is made of the instance's UIDs: not for logs.
      const what = code ?? (err as Error).name ?? 'Error';
      errorComment = `could not store the instance: ${what}`.slice(0, 64);
      assoc.log.error(errorFields(err), 'C-STORE handler failed');
    }
  }
  if (stored && !stored.finalPath) await discardStored(stored);
  assoc.emit(
    'EVT_C_STORE',
    () => ({
      context: {
        id: msg.context.id,
        abstract_syntax: msg.context.abstractSyntax,
        transfer_syntax: msg.context.transferSyntax,
      },
      message_id: msg.command.messageId ?? 0,
      affected_sop_class_uid: msg.command.affectedSopClassUid ?? '',
      affected_sop_instance_uid: msg.command.affectedSopInstanceUid ?? '',
      priority: priorityOf(msg.command),
      ...(msg.command.moveOriginatorApplicationEntityTitle
        ? { move_originator_application_entity_title: msg.command.moveOriginatorApplicationEntityTitle }
        : {}),
      ...(msg.command.moveOriginatorMessageId !== undefined
        ? { move_originator_message_id: msg.command.moveOriginatorMessageId }
        : {}),
      dataset: stored?.header?.orElse({}) ?? {},
      status,
      status_category: statusCategory(status),
      ...(errorComment ? { error_comment: errorComment } : {}),
      responses: 1,
      ...(stored && !stored.error
        ? {
            stored: {
              ...(stored.finalPath ? { path: stored.finalPath } : {}),
              bytes: stored.fileBytes,
              sha256: stored.sha256,
            },
          }
        : {}),
    }),
    msg.command.messageId,
  );
  try {
    await assoc.dimse.send(
      msg.context,
      buildCStoreRsp(msg.command, status, errorComment ? { errorComment } : {}),
    );
  } finally {
    // The response is written by now (a lone PDU is written in the send itself) or in a tick the send
    // queued to uncork the socket: a tick queued now runs after that write and before the event loop reads
    // any socket again, so a later request (a C-FIND on any association) sees what the handler left for after
    // the response (test/archive/store-then-find.int.test.ts).
    const after = stored?.afterResponse;
    if (after) {
      stored.afterResponse = undefined;
      process.nextTick(runAfterResponse, assoc, after);
    }
  }
}

function runAfterResponse(assoc: Association, after: () => void): void {
  try {
    after();
  } catch (err) {
    assoc.log.error(errorFields(err), 'C-STORE work after the response failed');
  }
}
