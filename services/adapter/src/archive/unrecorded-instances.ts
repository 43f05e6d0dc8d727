/**
 * After a crash: the store keeps no instance that no durable event records. With AUDIT_DURABILITY=sync a
 * C-STORE's request event is written to the event log before its instance is filed (a write the death of the
 * process does not undo), and made durable with its EVT_C_STORE before the response; so an instance whose
 * request is in the event log and whose EVT_C_STORE is not (wal-sink.ts `recover`) was filed during the
 * crash, never acknowledged to the peer (it will send it again) and never recorded: it is removed, with a log
 * line naming it. A file older than that request (the same SOP Instance UID stored before) is left alone.
 */
import { rmSync, statSync } from 'node:fs';
import type { Logger } from '@dicomtrail/runtime';
import type { ArchiveIndex } from './archive-index.js';

export interface UnrecordedStore {
  association_id: string;
  sop_instance_uid: string;
  /** When its request was received (the EVT_DIMSE_RECV timestamp). */
  at: string;
}

/** Clock skew allowed between the event timestamps and the file system's (ms). */
const SKEW_MS = 1000;

/** Removes the instances of `storing` filed at or after their request; returns how many. */
export function removeUnrecorded(
  index: ArchiveIndex,
  storing: readonly UnrecordedStore[],
  log: Logger,
): number {
  let removed = 0;
  for (const s of storing) {
    const inst = index.index.get(s.sop_instance_uid);
    if (!inst) continue;
    let changedMs: number;
    try {
      changedMs = statSync(inst.path).ctimeMs;
    } catch {
      continue;
    }
    if (changedMs < Date.parse(s.at) - SKEW_MS) continue;
    rmSync(inst.path, { force: true });
    index.index.remove(s.sop_instance_uid);
    removed += 1;
    log.warn(
      {
        component: 'archive',
        association_id: s.association_id,
        sop_instance_uid: s.sop_instance_uid,
        request_at: s.at,
      },
      'instance removed from the store: filed during a crash, its C-STORE never recorded nor acknowledged',
    );
  }
  return removed;
}
