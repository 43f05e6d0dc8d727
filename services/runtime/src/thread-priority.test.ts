import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { currentThreadId } from './thread-priority.js';

/** Field 19 of /proc/<pid>/task/<tid>/stat: the thread's nice value as the kernel has it. */
function kernelNice(tid: number): number {
  const stat = readFileSync(`/proc/${process.pid}/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

test('setThreadNice lowers the calling worker thread only, as the kernel sees it', async () => {
  const mainBefore = os.getPriority();
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(new URL('./thread-priority.js', import.meta.url).href)}).then((m) => {
       parentPort.postMessage(m.setThreadNice(10));
       setTimeout(() => {}, 2000);
     });`,
    { eval: true },
  );
  const result = await new Promise<{ ok: boolean; tid: number; nice: number }>((r) =>
    worker.once('message', r),
  );
  try {
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.nice, 10);
    assert.notEqual(result.tid, process.pid);
    assert.equal(kernelNice(result.tid), 10);
    assert.equal(kernelNice(currentThreadId()!), mainBefore);
    assert.equal(os.getPriority(), mainBefore);
  } finally {
    await worker.terminate();
  }
});

test('currentThreadId is the process id on the main thread', () => {
  assert.equal(currentThreadId(), process.pid);
});
