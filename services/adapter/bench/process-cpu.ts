/**
 * CPU time of a running process, per thread name (Linux /proc/<pid>/task/<tid>/stat: utime + stime, in
 * clock ticks of 1/100 s), so a benchmark can say where a path's time goes: the main thread, libuv's pool,
 * worker threads. Threads that ended between two samples are lost from the difference (a floor, not a total).
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_S = 0.01;

/** Seconds of CPU so far, by thread name (threads of one name summed). Empty when /proc cannot be read. */
export function threadCpu(pid: number | undefined): Map<string, number> {
  const out = new Map<string, number>();
  if (pid === undefined) return out;
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'latin1');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ...: comm may hold spaces and parentheses; fields after the last ')' are fixed.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const name = stat.slice(open + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const seconds = (Number(fields[11]) + Number(fields[12])) * TICK_S;
    out.set(name, (out.get(name) ?? 0) + seconds);
  }
  return out;
}

/**
 * Seconds of CPU so far of a process and of its children it has reaped (utime + stime + cutime + cstime):
 * a relay that forks a process per connection (socat) is counted whole once each connection has ended.
 */
export function processTreeCpu(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) * TICK_S;
  } catch {
    return 0;
  }
}

/** `after - before`, per thread name, dropping names with nothing spent. */
export function cpuSpent(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, s] of after) {
    const d = s - (before.get(name) ?? 0);
    if (d > 0) out.set(name, d);
  }
  return out;
}
