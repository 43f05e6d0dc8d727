import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { migrate } from '@dicomtrail/migrations';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';

const bin = fileURLToPath(new URL('../src/dicomtrail.js', import.meta.url));

function run(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    timeout: 30_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let db: TestDatabase;
before(async () => {
  db = await createTestDatabase('cli');
  await migrate(db.url);
});
after(async () => {
  await db?.drop();
});

test('dicomtrail --help lists every command; an unknown command is a one-line error and exit 2', () => {
  for (const args of [['--help'], ['help'], []]) {
    const help = run(args);
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /usage: dicomtrail <command>/);
    for (const name of ['adapter', 'audit', 'audit-writer', 'trace-exporter']) {
      assert.match(help.stdout, new RegExp(`^  ${name} +\\S`, 'm'), `${name} listed`);
    }
  }
  const bad = run(['nope']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^dicomtrail: unknown command 'nope'/);
});

test('every command and audit subcommand answers --help with its options, without running', () => {
  const adapter = run(['adapter', '--help']);
  assert.equal(adapter.code, 0, adapter.stderr);
  assert.match(adapter.stdout, /usage: dicomtrail adapter/);
  for (const option of ['--port', '--host', '--ae-title', '--store-dir', '--events-out']) {
    assert.ok(adapter.stdout.includes(option), `adapter --help lists ${option}`);
  }
  const audit = run(['audit', '--help']);
  assert.equal(audit.code, 0, audit.stderr);
  for (const sub of ['run', 'verify', 'rebuild-projections', 'retention']) {
    assert.match(audit.stdout, new RegExp(`^  ${sub} `, 'm'));
    const r = run(['audit', sub, '--help'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`usage: dicomtrail audit ${sub}`));
  }
  for (const name of ['audit-writer', 'trace-exporter']) {
    const r = run([name, '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: dicomtrail /);
  }
});

test('npx dicomtrail works after the CLI is rebuilt twice (the bin is a script no build rewrites)', () => {
  const root = fileURLToPath(new URL('../../../../', import.meta.url));
  // A fresh build writes dist/ files without an exec bit: the bin must not depend on one.
  rmSync(fileURLToPath(new URL('../src/dicomtrail.js', import.meta.url)));
  for (let i = 0; i < 2; i++) {
    const b = spawnSync('npm', ['run', 'build', '--workspace', '@dicomtrail/cli'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 120_000,
    });
    assert.equal(b.status, 0, b.stderr);
  }
  const npx = (args: string[]) =>
    spawnSync('npx', ['--no-install', 'dicomtrail', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, LOG_LEVEL: 'warn', DATABASE_URL: db.url },
    });
  const help = npx(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /usage: dicomtrail <command>/);
  const verify = npx(['audit', 'verify']);
  assert.equal(verify.status, 0, verify.stderr);
  assert.match(verify.stdout, /^OK: 0 chains, 0 rows verified/);
});

test('dicomtrail audit verify: the audit CLI against the configured database', () => {
  const r = run(['audit', 'verify'], { DATABASE_URL: db.url });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^OK: 0 chains, 0 rows verified/);
  const bad = run(['audit', 'frobnicate'], { DATABASE_URL: db.url });
  assert.equal(bad.code, 2);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /^dicomtrail audit: unknown subcommand 'frobnicate'/);
});

test('dicomtrail sample: a synthetic study that DCMTK reads as valid Part 10 files of one made-up patient', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'dt-sample-'));
  try {
    const r = run(['sample', '--out', dir, '--count', '3', '--patient-id', 'DT-TEST-7']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^wrote 3 instances of patient DT-TEST-7/);
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['sample-0001.dcm', 'sample-0002.dcm', 'sample-0003.dcm']);
    const studies = new Set<string>();
    for (const f of files) {
      assert.equal(statSync(path.join(dir, f)).mode & 0o777, 0o600);
      const ok = spawnSync('dcmftest', [path.join(dir, f)], { encoding: 'utf8' });
      assert.match(ok.stdout, /^yes:/, ok.stdout);
      const dump = spawnSync('dcmdump', ['+P', 'PatientID', '+P', 'StudyInstanceUID', path.join(dir, f)], {
        encoding: 'utf8',
      });
      assert.equal(dump.status, 0, dump.stderr);
      assert.match(dump.stdout, /\[DT-TEST-7\]/);
      studies.add((dump.stdout.match(/\(0020,000d\) UI \[([0-9.]+)\]/) as RegExpMatchArray)[1] as string);
    }
    assert.equal(studies.size, 1, 'one study');
    assert.equal(run(['sample', '--count', 'many']).code, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
