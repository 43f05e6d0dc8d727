import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createLogger, scrubIdentifiers } from './logger.js';

const STUDY = '1.2.826.0.1.3680043.10.1386.5.1';
const SOP = '1.2.826.0.1.3680043.10.1386.5.1.7';

test('scrubIdentifiers: UIDs and quoted paths go, addresses and codes stay', () => {
  assert.equal(
    scrubIdentifiers(`ENOENT: no such file or directory, rename '/s/${STUDY}/${SOP}.dcm' -> '/t/x'`),
    "ENOENT: no such file or directory, rename '[path]' -> '[path]'",
  );
  assert.equal(scrubIdentifiers(`instance ${SOP} from 127.0.0.1:104`), 'instance [uid] from 127.0.0.1:104');
  assert.equal(scrubIdentifiers('status 0xA700, version 1.2.3'), 'status 0xA700, version 1.2.3');
});

test('an fs error logged with { err } carries no store path and no UID', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dt-log-'));
  try {
    const out = path.join(dir, 'log.jsonl');
    const fd = openSync(out, 'w');
    const log = createLogger('test', { destination: fd });
    let caught: unknown;
    try {
      renameSync(path.join(dir, STUDY, `${SOP}.dcm`), path.join(dir, 'store', STUDY, `${SOP}.dcm`));
    } catch (err) {
      caught = err;
    }
    assert.ok(caught instanceof Error && (caught as NodeJS.ErrnoException).code === 'ENOENT');
    log.error({ err: caught }, 'rename failed');
    log.flush();
    closeSync(fd);
    const line = JSON.parse(readFileSync(out, 'utf8').trim()) as { err: Record<string, unknown> };
    const text = JSON.stringify(line);
    assert.doesNotMatch(text, /1\.2\.826\.0\.1\.3680043/);
    assert.doesNotMatch(text, new RegExp(dir.replaceAll('/', '\\/')));
    assert.equal(line.err['code'], 'ENOENT', 'the error kind stays');
    assert.equal(line.err['path'], '[path]');
    assert.match(String(line.err['message']), /^ENOENT: no such file or directory, rename '\[path\]'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
