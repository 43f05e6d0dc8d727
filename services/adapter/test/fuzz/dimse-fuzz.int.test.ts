/**
 * The DIMSE fuzzer in CI: a few thousand seeded cases (mutated command sets, C-STORE headers, C-FIND/C-GET/C-MOVE
 * identifiers, N-service attribute lists, PDV mutations) over real associations to a real adapter process; the
 * adapter must neither die nor stop answering, every case must end with an answer (a response, an A-ABORT or
 * a close) within the fuzzer's grace period, and the adapter must still store what dcmtk's storescu sends
 * afterwards. The seeded run holds the cases that once stalled the node (seed 20261207: cases 455, 544 and 1925,
 * a 256 KB command set in 7-byte PDVs). FUZZ_CI_CASES and FUZZ_SEED change the run; `npm run fuzz` is the
 * 100,000-case run.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runDcmtk } from '@dicomtrail/testing';
import { fuzzTable, runFuzz } from '../../bench/fuzz/fuzz-run.js';
import { writeInstance } from '../support/instances.js';

const CASES = Number(process.env['FUZZ_CI_CASES'] ?? 2000);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261207);

test(`${CASES} mutated DIMSE messages over real associations: no crash, no hang, every case answered, storescu still served`, async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-fuzz-ci-'));
  let stored = false;
  try {
    const stats = await runFuzz({
      seed: SEED,
      cases: CASES,
      concurrency: 4,
      afterCases: async (adapter) => {
        const file = path.join(dir, 'after.dcm');
        const { sopInstanceUid } = writeInstance(file, {});
        const r = await runDcmtk('storescu', ['-aec', 'DICOMTRAIL', '127.0.0.1', String(adapter.port), file]);
        assert.equal(r.code, 0, r.stderr);
        const files = (readdirSync(adapter.storeDir, { recursive: true }) as string[]).filter((f) =>
          f.endsWith(`${sopInstanceUid}.dcm`),
        );
        stored = files.length === 1 && existsSync(path.join(adapter.storeDir, files[0]!));
      },
    });
    const table = fuzzTable(stats, SEED, 4);
    assert.equal(stats.cases, CASES, table);
    assert.deepEqual(stats.crashes, [], table);
    assert.equal(stats.stalled, 0, `no association left unanswered\n${table}`);
    assert.equal(stats.requestsUnanswered, 0, `no request left unanswered\n${table}`);
    assert.ok(stats.answered > CASES / 10, `most associations go on after a case\n${table}`);
    assert.ok(stored, 'the instance storescu sent after the fuzzing is in the store');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
