/**
 * Storage Service Class (PS3.4 Annex B) as SCP: EVT_C_STORE. The instance has already been streamed
 * to a temporary Part 10 file (association/store-receiver.ts); the bound handler decides the status and
 * what to keep. The default handler moves the file to `<store>/<StudyInstanceUID>/<SeriesInstanceUID>/
 * <SOPInstanceUID>.dcm`. Disk errors give A700 (out of resources); a handler exception gives C211.
 */
import { renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Association } from '../association/association.js';
import type { DimseMessage } from '../association/dimse-service.js';
import { inDir } from '../association/store-receiver.js';
import { buildCStoreRsp } from '../dimse/c-store.js';
import { statusCategory } from '../dimse/status.js';
import { type HandlerResult, type ServiceRequest, statusOf, toRequest } from './service-request.js';

export type CStoreHandler = (req: ServiceRequest) => HandlerResult | Promise<HandlerResult>;

const SAFE_UID = /^[0-9.]{1,64}$/;

function safeUid(v: string | undefined): string | undefined {
  return v !== undefined && SAFE_UID.test(v) ? v : undefined;
}

/** Where the default handler files an instance. */
export function storagePath(storeDir: string, req: ServiceRequest): string {
  const study = safeUid(req.stored?.studyInstanceUid) ?? 'unknown-study';
  const series = safeUid(req.stored?.seriesInstanceUid) ?? 'unknown-series';
  const sop = safeUid(req.request.affectedSopInstanceUid) ?? `unnamed-${Date.now()}`;
  return path.join(storeDir, study, series, `${sop}.dcm`);
}

export function defaultStoreHandler(storeDir: string): CStoreHandler {
  return async (req) => {
    const target = storagePath(storeDir, req);
    // Synchronous on purpose: two quick metadata calls, no thread-pool round trips per instance.
    inDir(path.dirname(target), () => renameSync(req.stored!.tempPath, target));
    req.stored!.finalPath = target;
    return 0x0000;
  };
}

/**
 * With a write-ahead log (AUDIT_DURABILITY=sync) the request's events are durable before the instance is
 * filed: after a crash, a filed instance whose EVT_C_STORE is missing is then found from its request
 * (archive/unrecorded-instances.ts). False when they cannot be made durable (the instance is not filed).
 */
async function requestDurable(assoc: Association): Promise<boolean> {
  const wait = assoc.durable();
  if (!wait) return true;
  return wait.then(
    () => true,
    () => false,
  );
}

export async function serveCStore(assoc: Association, msg: DimseMessage, storeDir: string): Promise<void> {
  const req = toRequest(assoc, msg);
  const stored = msg.stored;
  let status: number;
  let errorComment: string | undefined;
  if (!stored || stored.error) {
    status = 0xa700;
    errorComment = `could not write the instance: ${stored?.error?.message ?? 'no data set'}`.slice(0, 64);
  } else if (!(await requestDurable(assoc))) {
    status = 0xa700;
    errorComment = 'the event log cannot record this C-STORE';
  } else {
    const handler =
      (assoc.handlers.interventionHandler('EVT_C_STORE') as CStoreHandler | undefined) ??
      defaultStoreHandler(storeDir);
    try {
      const r = statusOf(await handler(req));
      status = r.status;
      errorComment = r.errorComment;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      status =
        code === 'ENOSPC' || code === 'EDQUOT' || code === 'EACCES' || code === 'EROFS' ? 0xa700 : 0xc211;
      errorComment = String((err as Error).message ?? err).slice(0, 64);
      assoc.log.error({ err }, 'C-STORE handler failed');
    }
  }
  if (stored && !stored.finalPath) await rm(stored.tempPath, { force: true }).catch(() => undefined);
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
      priority: msg.command.priority ?? 0,
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
  await assoc.dimse.send(
    msg.context,
    buildCStoreRsp(msg.command, status, errorComment ? { errorComment } : {}),
  );
}
