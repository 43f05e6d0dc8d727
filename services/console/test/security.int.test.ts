/**
 * What the console refuses: a page whose Audit Log Used event the event topic does not acknowledge (a broker that
 * is not there) is not served; a logout without the session's CSRF token; a login posted from another origin;
 * logins after too many failures, even with the right password. Real Postgres and Kafka; requests over HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { migrate } from '@dicomtrail/migrations';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  type TestDatabase,
  uniqueTopic,
} from '@dicomtrail/testing';
import pg from 'pg';
import { addUser } from '../src/accounts.js';
import { cookieOf, postLogin } from './support/http.js';
import { type ConsoleUnderTest, startConsole } from './support/stack.js';

let db: TestDatabase;
let pool: pg.Pool;
let live: ConsoleUnderTest;
let dead: ConsoleUnderTest;
const USER = { username: 'auditor1', password: 'auditor1-password' };

before(async () => {
  db = await createTestDatabase('console-security');
  await migrate(db.url, { log: () => {} });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await addUser(pool, USER.username, 'auditor', USER.password);
  await addUser(pool, 'victim', 'auditor', 'victim-password-1');
  live = await startConsole({
    databaseUrl: db.url,
    brokers: await kafkaBrokers(),
    topic: uniqueTopic('console-security'),
  });
  // Nothing listens on this port: every publish fails as with a broker outage.
  dead = await startConsole({
    databaseUrl: db.url,
    brokers: [`127.0.0.1:${await freePort()}`],
    topic: 'dicomtrail.events.v1',
    connect: false,
  });
});

after(async () => {
  await live?.close();
  await dead?.close();
  await pool?.end();
  await db?.drop();
});

const loginCookie = postLogin;

test('a page whose Audit Log Used event is not acknowledged is refused (503) with a clear message', async () => {
  const r = await loginCookie(dead.url, USER.username, USER.password);
  assert.equal(r.status, 303);
  const page = await fetch(`${dead.url}/reports/patient?patient_id=PID-1`, {
    headers: { cookie: cookieOf(r) },
  });
  assert.equal(page.status, 503);
  const body = await page.text();
  assert.match(body, /could not be recorded.*so it is not shown/s);
  assert.doesNotMatch(body, /Accounting of disclosures/);
});

test('with the topic up, the same page is served', async () => {
  const r = await loginCookie(live.url, USER.username, USER.password);
  const page = await fetch(`${live.url}/reports/patient?patient_id=PID-1`, {
    headers: { cookie: cookieOf(r) },
  });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /No access to this patient's instances/);
});

test('logout without the CSRF token is refused; with it the session ends', async () => {
  const cookie = cookieOf(await loginCookie(live.url, USER.username, USER.password));
  const post = (body: string) =>
    fetch(`${live.url}/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
  assert.equal((await post('csrf=forged')).status, 403);
  const page = await fetch(`${live.url}/`, { headers: { cookie } });
  const token = /name="csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  assert.ok(token);
  assert.equal((await post(`csrf=${token}`)).status, 303);
  const after = await fetch(`${live.url}/`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(after.headers.get('location'), '/login');
});

test('a login posted from another origin is refused', async () => {
  const r = await fetch(`${live.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' },
    body: new URLSearchParams(USER).toString(),
  });
  assert.equal(r.status, 403);
});

test('after 5 failed logins the account is throttled, even with the right password', async () => {
  for (let i = 0; i < 5; i++) assert.equal((await loginCookie(live.url, 'victim', `wrong-${i}`)).status, 401);
  const r = await loginCookie(live.url, 'victim', 'victim-password-1');
  assert.equal(r.status, 429);
  assert.match(await r.text(), /Too many failed logins/);
  assert.equal(r.headers.get('set-cookie'), null);
});
