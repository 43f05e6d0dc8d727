import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SOP = '1.2.826.0.1.3680043.10.1386.5.1.7';

/** A real process: its warnings, after routeProcessWarnings, as its stdout and stderr say them. */
function runWithWarnings(body: string): { lines: Array<Record<string, unknown>>; stderr: string } {
  const script = `
    import { createLogger } from ${JSON.stringify(path.join(here, 'logger.js'))};
    import { routeProcessWarnings } from ${JSON.stringify(path.join(here, 'process-warnings.js'))};
    routeProcessWarnings(createLogger('warnings-test', { format: 'json' }));
    ${body}
    setTimeout(() => {}, 50);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'debug' },
  });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, stderr: r.stderr };
}

test('a process warning is a structured log line, with identifiers scrubbed, not a "(node:PID)" line', () => {
  const { lines, stderr } = runWithWarnings(
    `process.emitWarning('instance ${SOP} could not be read', { type: 'DicomtrailTestWarning', code: 'DT_TEST' });`,
  );
  assert.doesNotMatch(stderr, /\(node:\d+\)/);
  const w = lines.find((l) => l['warning'] === 'DicomtrailTestWarning');
  assert.ok(w, JSON.stringify(lines));
  assert.equal(w['level'], 'warn');
  assert.equal(w['code'], 'DT_TEST');
  assert.equal(w['detail'], 'instance [uid] could not be read');
});

test("kafkajs's negative timer delay is logged once, at debug, and says why it is harmless", () => {
  const { lines, stderr } = runWithWarnings(`
    setTimeout(() => {}, -5);
    setTimeout(() => {}, -7);`);
  assert.doesNotMatch(stderr, /TimeoutNegativeWarning/);
  const known = lines.filter((l) => l['warning'] === 'TimeoutNegativeWarning');
  assert.equal(known.length, 1, JSON.stringify(lines));
  assert.equal(known[0]!['level'], 'debug');
  assert.match(String(known[0]!['known']), /kafkajs/);
});
