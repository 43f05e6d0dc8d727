/**
 * COPY FROM STDIN through copyIn against real Postgres: values with every character COPY's text format escapes
 * come back as written (text, jsonb, bytea, NULL), data larger than one chunk arrives whole (also with a
 * character split between two chunks), and a row Postgres
 * refuses rejects the promise with Postgres' error while the connection stays usable.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestDatabase, type TestDatabase } from '@dicomtrail/testing';
import pg from 'pg';
import { copyIn } from '../src/copy-in.js';
import { COPY_NULL, copyJson, copyValue } from '../src/copy-text.js';

/** COPY text lines as copyIn's input. */
const data = (lines: string[]) => Buffer.from(lines.join(''));

let db: TestDatabase;
let client: pg.Client;

before(async () => {
  db = await createTestDatabase('copy_in');
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query('CREATE TABLE t (n integer, s text, j jsonb, b bytea)');
});
after(async () => {
  await client?.end();
  await db?.drop();
});

const line = (n: number | null, s: string | null, json: string | null, hex: string) =>
  `${copyValue(n)}\t${copyValue(s)}\t${json === null ? COPY_NULL : copyJson(json)}\t\\\\x${hex}\n`;

test('escaped text, jsonb, NULL and bytea come back as written', async () => {
  const awkward = 'tab\there\nnewline\rcr back\\slash \\N not null, ünïcödé 🦷';
  const json = JSON.stringify({ s: awkward, q: 'a"b', nested: [1, null, { t: '\t' }] });
  const copied = await copyIn(
    client,
    'COPY t (n, s, j, b) FROM STDIN',
    data([line(1, awkward, json, 'deadbeef'), line(null, null, null, '')]),
  );
  assert.equal(copied, 2);
  const { rows } = await client.query("SELECT n, s, j, encode(b, 'hex') AS b FROM t ORDER BY n NULLS LAST");
  assert.deepEqual(rows, [
    { n: 1, s: awkward, j: JSON.parse(json), b: 'deadbeef' },
    { n: null, s: null, j: null, b: '' },
  ]);
});

test('data of many chunks arrives whole', async () => {
  const big = 'x'.repeat(100_000);
  const lines = Array.from({ length: 50 }, (_, i) => line(100 + i, big, null, '00'));
  assert.equal(await copyIn(client, 'COPY t (n, s, j, b) FROM STDIN', data(lines)), 50);
  const { rows } = await client.query<{ n: string; len: string }>(
    'SELECT count(*)::text AS n, sum(length(s))::text AS len FROM t WHERE n >= 100',
  );
  assert.deepEqual(rows[0], { n: '50', len: String(50 * big.length) });
});

test('a character split between two CopyData messages arrives whole', async () => {
  // 1 + 2 × 300,000 bytes: the first chunk (512 KiB, an even count) ends inside an 'é'.
  const s = `a${'é'.repeat(300_000)}`;
  assert.equal(await copyIn(client, 'COPY t (n, s, j, b) FROM STDIN', data([line(200, s, null, '00')])), 1);
  const { rows } = await client.query<{ ok: boolean }>('SELECT s = $1 AS ok FROM t WHERE n = 200', [s]);
  assert.deepEqual(rows, [{ ok: true }]);
});

test('a refused row rejects with the Postgres error; the connection stays usable', async () => {
  await assert.rejects(
    copyIn(
      client,
      'COPY t (n, s, j, b) FROM STDIN',
      data([line(1, 'ok', null, '00'), 'not-a-number\t\\N\t\\N\t\\N\n']),
    ),
    (err: Error & { code?: string }) => err.code === '22P02',
  );
  const { rows } = await client.query<{ one: number }>('SELECT 1 AS one');
  assert.equal(rows[0]?.one, 1);
});
