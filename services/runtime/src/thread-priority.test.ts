import assert from 'node:assert/strict';
import os from 'node:os';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { currentThreadId, threadNice } from './thread-priority.js';

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
    assert.equal(threadNice(result.tid), 10);
    assert.equal(threadNice(currentThreadId()!), mainBefore);
    assert.equal(os.getPriority(), mainBefore);
  } finally {
    await worker.terminate();
  }
});

test('currentThreadId is the process id on the main thread', () => {
  assert.equal(currentThreadId(), process.pid);
});
