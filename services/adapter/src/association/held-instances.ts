/**
 * Small C-STORE instances held in memory from their last fragment until the storage service files them under
 * their final name (service-classes/write-once.ts), so that they are written once and never renamed.
 * The wait can be long (the request's events written to the event log first, which may wait for the log), so
 * what the process holds is bounded:
 * past HOLD_BUDGET an instance goes to a temporary file as a large one does.
 */
import { rm } from 'node:fs/promises';
import type { StoredFile } from './stored-file.js';

/** Bytes of small instances held at most, over every association of the process. */
export const HOLD_BUDGET = 64 * 1024 * 1024;

let held = 0;

/** Takes `bytes` of the budget; false (nothing taken) when it would pass HOLD_BUDGET. */
export function reserveHold(bytes: number): boolean {
  if (held + bytes > HOLD_BUDGET) return false;
  held += bytes;
  return true;
}

/** Bytes held now (for tests and metrics). */
export function heldBytes(): number {
  return held;
}

/** Lets go of the instance's bytes in memory, if any, and gives them back to the budget. */
export function letGo(stored: StoredFile): void {
  if (!stored.held) return;
  held -= stored.held.length;
  // Cleared, not deleted: a deleted property turns the record into a slower dictionary-mode object.
  stored.held = undefined;
}

/** An instance that will not be filed: what it holds is let go, its temporary file removed. */
export async function discardStored(stored: StoredFile | undefined): Promise<void> {
  if (!stored) return;
  letGo(stored);
  await rm(stored.tempPath, { force: true }).catch(() => undefined);
}
