import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveLogFormat } from './logger.js';
import { prettyLogLine } from './pretty-log.js';

const ESC = '\u001b';
const stripColours = (s: string) => s.replace(new RegExp(`${ESC}\\[[0-9;]*m`, 'g'), '');

const record = {
  level: 'warn',
  time: '2026-12-07T18:52:01.123Z',
  service: 'adapter',
  pid: 42,
  component: 'server',
  association_id: '0193c1e2-7c5e-7000-8000-000000000001',
  remote: { address: '127.0.0.1', port: 50000 },
  reason: 'idle timeout',
  msg: 'association aborted',
};

test('prettyLogLine: time, level, service/component and message, then every other field as key=value', () => {
  const line = prettyLogLine(JSON.stringify(record), false);
  assert.equal(
    line,
    '18:52:01.123 WARN  adapter/server association aborted pid=42 ' +
      'association_id=0193c1e2-7c5e-7000-8000-000000000001 remote={"address":"127.0.0.1","port":50000} ' +
      'reason="idle timeout"\n',
  );
  for (const key of Object.keys(record)) {
    if (['level', 'time', 'msg', 'service', 'component'].includes(key)) continue;
    assert.ok(line.includes(`${key}=`), `${key} shown`);
  }
});

test('prettyLogLine: colours only when asked; an error shows its message and its stack below', () => {
  const err = {
    type: 'Error',
    message: 'connect ECONNREFUSED',
    stack: 'Error: connect ECONNREFUSED\n    at x',
  };
  const plain = prettyLogLine(JSON.stringify({ ...record, level: 'error', err }), false);
  assert.ok(!plain.includes(ESC));
  assert.match(
    plain,
    /ERROR adapter\/server association aborted .*err="connect ECONNREFUSED"\nError: connect/,
  );
  const coloured = prettyLogLine(JSON.stringify({ ...record, level: 'error', err }), true);
  assert.ok(coloured.includes(`${ESC}[31mERROR`));
});

test('prettyLogLine: a line that is not a JSON record passes through unchanged', () => {
  assert.equal(prettyLogLine('not json', false), 'not json\n');
});

test('resolveLogFormat: auto is pretty on a terminal and JSON elsewhere; unknown formats refused', () => {
  assert.equal(resolveLogFormat(undefined, true), 'pretty');
  assert.equal(resolveLogFormat('auto', false), 'json');
  assert.equal(resolveLogFormat('json', true), 'json');
  assert.equal(resolveLogFormat('pretty', false), 'pretty');
  assert.throws(() => resolveLogFormat('xml', true), /LOG_FORMAT must be auto, json or pretty/);
});

const index = fileURLToPath(new URL('./index.js', import.meta.url));
const program = `const { createLogger } = await import(${JSON.stringify(index)});
createLogger('demo').child({ component: 'probe' }).info({ calls: 3 }, 'hello');`;

test('createLogger: JSON lines when stdout is a pipe, pretty lines with the same fields on a terminal', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dt-log-'));
  const file = path.join(dir, 'probe.mjs');
  writeFileSync(file, program);
  const piped = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(piped.status, 0, piped.stderr);
  const json = JSON.parse(piped.stdout.trim()) as Record<string, unknown>;
  assert.equal(json['msg'], 'hello');
  assert.equal(json['calls'], 3);
  assert.equal(json['component'], 'probe');
  // `script` runs the program on a pseudo-terminal (util-linux).
  const tty = spawnSync('script', ['-qec', `'${process.execPath}' '${file}'`, '/dev/null'], {
    encoding: 'utf8',
  });
  rmSync(dir, { recursive: true });
  assert.equal(tty.status, 0, tty.stderr);
  const shown = stripColours(tty.stdout);
  assert.match(shown, /^\d\d:\d\d:\d\d\.\d{3} INFO {2}demo\/probe hello pid=\d+ calls=3\r?\n$/);
  assert.ok(tty.stdout.includes(`${ESC}[32mINFO`));
});
