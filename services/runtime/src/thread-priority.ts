/**
 * A thread's scheduling priority (Linux nice value, per thread): the worker threads that build and send audit
 * events lower their own so that, when the machine is busy, the scheduler favours the thread serving DICOM (and
 * the peers on the same host) and the audit pipeline uses what is left: it catches up after a burst, and nothing
 * is lost (events wait in the queue, then in the durable spool).
 *
 * Linux identifies a thread by its id in /proc/thread-self, and setpriority(2) on that id changes that thread
 * only. Elsewhere there is no per-thread nice value: the call reports that and changes nothing.
 */
import { readFileSync, readlinkSync } from 'node:fs';
import os from 'node:os';

export type ThreadPriorityResult = { ok: true; tid: number; nice: number } | { ok: false; reason: string };

/** The calling thread's id (Linux), from /proc/thread-self → "<pid>/task/<tid>". */
export function currentThreadId(): number | undefined {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Sets the calling thread's nice value (0 = unchanged priority, 19 = lowest). */
export function setThreadNice(nice: number): ThreadPriorityResult {
  const tid = currentThreadId();
  if (tid === undefined)
    return { ok: false, reason: 'no per-thread priority here (/proc/thread-self missing)' };
  try {
    os.setPriority(tid, nice);
    return { ok: true, tid, nice: os.getPriority(tid) };
  } catch (err) {
    return { ok: false, reason: `setpriority(${tid}, ${nice}) failed: ${(err as Error).message}` };
  }
}

/**
 * A thread of this process's nice value as the kernel reports it (field 19 of /proc/self/task/<tid>/stat), or
 * undefined when there is no such thread (it ended) or no /proc.
 */
export function threadNice(tid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After the ")" that ends the command name: state is field 3, nice field 19.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  } catch {
    return undefined;
  }
}
