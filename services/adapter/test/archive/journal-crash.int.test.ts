/**
 * Given an adapter process killed while index journal lines were still waiting to be written, when the
 * archive index opens again, then every instance filed before the kill is indexed (the start-up scan reads the
 * files the journal does not name) and the journal is whole again.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ArchiveIndex } from '../../src/archive/archive-index.js';
import { testLog } from '../support/server.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-journal-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const N = 20;

/** Files N instances through ArchiveIndex.add, prints their UIDs and the journal's size, and is SIGKILLed. */
const CHILD = `
import { mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
const imp = (p) => import(new URL(p, ${JSON.stringify(`${pathToFileURL(dist).href}/`)}).href);
const { ArchiveIndex } = await imp('src/archive/archive-index.js');
const { readIndexedInstance } = await imp('src/archive/instance-header.js');
const { uid, writeInstance } = await imp('test/support/instances.js');
const { testLog } = await imp('test/support/server.js');
const storeDir = process.argv[1];
const { archiveIndex } = ArchiveIndex.open({ storeDir, log: testLog });
const sops = [];
for (let i = 0; i < ${N}; i++) {
  const sop = uid(), study = uid(), series = uid();
  const file = path.join(storeDir, study, series, sop + '.dcm');
  mkdirSync(path.dirname(file), { recursive: true });
  writeInstance(file, { sopInstanceUid: sop, studyUid: study, seriesUid: series, pixelBytes: 64 });
  if (!archiveIndex.add(readIndexedInstance(file))) throw new Error('not indexed');
  if (!archiveIndex.index.has(sop)) throw new Error('not found at once');
  sops.push(sop);
}
const journal = path.join(storeDir, '.archive', 'instances.jsonl');
process.stdout.write(JSON.stringify({ sops, journalBytes: statSync(journal).size }) + '\\n');
process.kill(process.pid, 'SIGKILL');
`;

test('journal lines lost to a kill: the instances are indexed at the next start, the journal rewritten', () => {
  const storeDir = path.join(dir, 'store');
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, storeDir], {
    encoding: 'utf8',
  });
  assert.equal(child.signal, 'SIGKILL', child.stderr);
  const { sops, journalBytes } = JSON.parse(child.stdout) as { sops: string[]; journalBytes: number };
  assert.equal(sops.length, N);
  const journal = path.join(storeDir, '.archive', 'instances.jsonl');
  assert.equal(journalBytes, 0, 'the lines were waiting when the process was killed');
  assert.equal(statSync(journal).size, 0, 'and never written');
  assert.equal(statSync(journal).mode & 0o777, 0o600, 'the journal file exists (0600) from the first append');

  const first = ArchiveIndex.open({ storeDir, log: testLog });
  assert.deepEqual(
    [first.stats.instances, first.stats.journal_lines, first.stats.scanned, first.stats.unreadable],
    [N, 0, N, 0],
  );
  for (const sop of sops) assert.ok(first.archiveIndex.index.has(sop), sop);
  first.archiveIndex.close();
  assert.equal(readFileSync(journal, 'utf8').trim().split('\n').length, N, 'the journal was rewritten whole');

  const second = ArchiveIndex.open({ storeDir, log: testLog });
  assert.deepEqual([second.stats.instances, second.stats.journal_lines, second.stats.scanned], [N, N, 0]);
  second.archiveIndex.close();
});
