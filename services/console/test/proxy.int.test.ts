/**
 * The console over a proxied exchange: storescu calls the adapter running as an audit proxy in front of
 * storescp ("PACS"). The patient report counts the store once, on the leg the modality opened, naming the PACS it
 * was relayed to; the timeline of each leg links the other.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cookieOf, getPage, postLogin } from './support/http.js';
import { AUDITOR, type Stack, startStack } from './support/stack.js';
import { PATIENT, startAdapter, startStorescp, storePatient } from './support/traffic.js';

let stack: Stack;
let cookie: string;
let pacsPort: number;

before(async () => {
  stack = await startStack('proxy', async ({ dir, topic, brokers, peers }) => {
    const pacs = await startStorescp('PACS', path.join(dir, 'pacs'));
    peers.push(pacs);
    pacsPort = pacs.port;
    const proxy = await startAdapter(dir, topic, brokers, { PROXY_UPSTREAM: `127.0.0.1:${pacs.port}` });
    peers.push(proxy);
    await storePatient(proxy.port, dir, 'PACS');
    return 2; // the modality's leg and the proxy's upstream leg
  });
  cookie = cookieOf(await postLogin(stack.console.url, AUDITOR.username, AUDITOR.password));
});

after(async () => {
  await stack?.close();
});

test('the patient report counts the proxied store once and names the PACS it was relayed to', async () => {
  const r = await getPage(stack.console.url, cookie, `/reports/patient?patient_id=${PATIENT.id}`);
  assert.equal(r.status, 200);
  const stored = r.body.match(/<td>stored<\/td>/g) ?? [];
  assert.equal(stored.length, 1, 'one accounting entry for the store, not one per leg');
  assert.match(r.body, new RegExp(`MODALITY1, user tech01, via proxy to PACS@127\\.0\\.0\\.1:${pacsPort}`));
  assert.match(r.body, /3 CT instances in 1 series of 1 study/);
});

test("each leg's timeline links the other", async () => {
  const { rows } = await stack.pool.query<{ association_id: string; role: string }>(
    "SELECT association_id, role FROM audit.associations WHERE node_mode = 'proxy' ORDER BY role",
  );
  const downstream = rows.find((r) => r.role === 'acceptor')!;
  const upstream = rows.find((r) => r.role === 'requestor')!;
  const d = await getPage(stack.console.url, cookie, `/associations/${downstream.association_id}`);
  assert.match(
    d.body,
    new RegExp(
      `Upstream leg \\(the proxy relayed this association to the PACS\\): <a href="/associations/${upstream.association_id}">`,
    ),
  );
  assert.match(d.body, /C-STORE-RSP success/);
  const u = await getPage(stack.console.url, cookie, `/associations/${upstream.association_id}`);
  assert.match(
    u.body,
    new RegExp(
      `Downstream leg \\(the requestor this proxy served\\): <a href="/associations/${downstream.association_id}">`,
    ),
  );
});
