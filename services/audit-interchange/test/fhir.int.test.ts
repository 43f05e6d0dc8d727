/**
 * FHIR AuditEvent (R4, BALP's patterns) from the captured traffic through the real Kafka: POSTed as transaction
 * Bundles to a small HTTP server the test runs (it records every body, keeps resources by id as a FHIR server
 * does for PUT, and answers 503 during an outage), and written as NDJSON files. Every resource is checked with
 * HAPI FHIR's instance validator against the R4 structure definitions (infra/fhir-validator).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { uniqueTopic } from '@dicomtrail/testing';
import { auditEvent } from '../src/fhir/audit-event.js';
import { captureMessages, loadCapture, loadSecurityEvents } from './support/captured-traffic.js';
import { asNewTraffic, createTopic, groupLag, publish, startService, waitFor } from './support/stack.js';
import { validateFhir } from './support/validators.js';

interface FhirServer {
  url: string;
  server: Server;
  bodies: Record<string, unknown>[];
  resources: Map<string, Record<string, unknown>>;
  refused: number;
  down: boolean;
}

let fhir: FhirServer;
let dir: string;
const capture = loadCapture('audit-capture');

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-fhir-'));
  const state = { bodies: [], resources: new Map(), refused: 0, down: false } as unknown as FhirServer;
  state.server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (state.down) {
        state.refused++;
        res
          .writeHead(503, { 'content-type': 'application/fhir+json' })
          .end('{"resourceType":"OperationOutcome"}');
        return;
      }
      const bundle = JSON.parse(body) as {
        entry: { resource: Record<string, unknown>; request: { method: string; url: string } }[];
      };
      state.bodies.push(bundle as unknown as Record<string, unknown>);
      for (const e of bundle.entry) state.resources.set(e.request.url, e.resource);
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction-response',
          entry: bundle.entry.map(() => ({ response: { status: '200 OK' } })),
        }),
      );
    });
  });
  await new Promise<void>((r) => state.server.listen(0, '127.0.0.1', r));
  const addr = state.server.address();
  state.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/fhir`;
  fhir = state;
});

after(async () => {
  await new Promise((r) => fhir.server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('AuditEvents as PUT-by-id transactions through a server outage, as NDJSON files, idempotent on replay, valid R4', async () => {
  const topic = uniqueTopic('atna-fhir');
  await createTopic(topic);
  const run = asNewTraffic(capture);
  const expected = captureMessages(run);
  const ndjson = path.join(dir, 'ndjson');
  const env = {
    EVENTS_TOPIC: topic,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.group`,
    AUDIT_FHIR_URL: fhir.url,
    AUDIT_FHIR_NDJSON_DIR: ndjson,
    AUDIT_FHIR_AUTHORIZATION: 'Bearer test-secret-token',
  };

  // Given the FHIR server down, when the captured traffic is published, then nothing is committed and the service retries;
  fhir.down = true;
  let service = await startService(env);
  await publish(topic, run);
  await waitFor(() => fhir.refused >= 3 || undefined, 30_000, 'retries against the refusing server');
  const during = await groupLag(topic, `${topic}.group`);
  assert.ok(during.committed < during.end, 'offsets wait for the FHIR server');
  // when it is back, every AuditEvent arrives and the offsets are committed.
  fhir.down = false;
  await waitFor(
    () => fhir.resources.size >= expected.length || undefined,
    60_000,
    'every AuditEvent at the server',
  );
  await service.checkpoint();
  const lag = await groupLag(topic, `${topic}.group`);
  assert.equal(lag.committed, lag.end);
  await service.stop();

  assert.deepEqual(
    new Set(fhir.resources.keys()),
    new Set(expected.map((m) => `AuditEvent/${m.id}`)),
    'one resource per message, PUT by its stable id',
  );
  for (const b of fhir.bodies) {
    const bundle = b as { resourceType: string; type: string; entry: { request: { method: string } }[] };
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, 'transaction');
    for (const e of bundle.entry) assert.equal(e.request.method, 'PUT');
  }

  // The association's W3C trace id is an entity of its AuditEvents.
  const store = [...run].find((e) => e.type === 'EVT_C_STORE');
  assert.ok(store && 'association' in store);
  const stored = [...fhir.resources.values()].filter((r) =>
    JSON.stringify(r).includes(`"association_id","valueString":"${store.association.id}"`),
  );
  assert.ok(stored.length >= 2, 'the C-STORE association has its AuditEvents');
  for (const r of stored) {
    const entities = r['entity'] as {
      type?: { code: string };
      detail?: { type: string; valueString: string }[];
    }[];
    const trace = entities.find((e) => e.type?.code === 'traceparent');
    assert.ok(trace, 'a traceparent entity');
    assert.equal(trace.detail?.find((d) => d.type === 'trace_id')?.valueString, store.trace.trace_id);
  }

  // NDJSON: the same resources, one per line, the folder 0700 and the files 0600.
  assert.equal(statSync(ndjson).mode & 0o777, 0o700);
  const files = readdirSync(ndjson);
  assert.ok(files.length >= 1 && files.every((f) => /^auditevent-\d{4}-\d{2}-\d{2}\.ndjson$/.test(f)));
  const lines = files.flatMap((f) => {
    assert.equal(statSync(path.join(ndjson, f)).mode & 0o777, 0o600);
    return readFileSync(path.join(ndjson, f), 'utf8').trim().split('\n');
  });
  assert.deepEqual(
    new Set(lines.map((l) => (JSON.parse(l) as { id: string }).id)),
    new Set(expected.map((m) => m.id)),
  );

  // Given a replay of the whole topic (a new consumer group), when it is sent again, then the server still holds
  // one resource per message: the transaction PUTs the same ids.
  const requestsBefore = fhir.bodies.length;
  service = await startService({
    ...env,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.replay`,
    AUDIT_FHIR_NDJSON_DIR: path.join(dir, 'replay'),
  });
  await waitFor(
    async () => {
      const l = await groupLag(topic, `${topic}.replay`);
      return l.committed === l.end || undefined;
    },
    60_000,
    'the replay delivered',
  );
  await service.stop();
  assert.ok(fhir.bodies.length > requestsBefore, 'the replay sent the transactions again');
  assert.equal(fhir.resources.size, expected.length, 'and left one resource per message');

  // Every resource passes HAPI FHIR's R4 instance validator (warnings allowed: our own codes in extensible sets).
  const verdicts = await validateFhir([...fhir.resources.values()]);
  assert.equal(verdicts.length, expected.length);
  const invalid = verdicts.filter((v) => !v.valid);
  assert.deepEqual(
    invalid.map((v) => ({
      id: v.id,
      errors: v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'),
    })),
    [],
  );
});

test('a resource the FHIR server refuses with 422 is a dead letter (with its OperationOutcome); a 401 is retried; the stream moves on', async () => {
  const topic = uniqueTopic('atna-fhir-422');
  await createTopic(topic, 1);
  const run = asNewTraffic(capture);
  const expected = captureMessages(run);
  const poison = expected.find((m) => m.eventId.code === '110104');
  assert.ok(poison);
  const outcome = {
    resourceType: 'OperationOutcome',
    issue: [
      { severity: 'error', code: 'processing', diagnostics: `AuditEvent/${poison.id} refused by policy` },
    ],
  };
  // Given a FHIR server that answers 401 to the first two requests, then refuses with 422 every transaction that
  // holds one particular AuditEvent and takes everything else,
  const stored = new Map<string, unknown>();
  let unauthorized = 2;
  let refusals = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      if (unauthorized > 0) {
        unauthorized--;
        res
          .writeHead(401, { 'content-type': 'application/fhir+json' })
          .end('{"resourceType":"OperationOutcome"}');
        return;
      }
      const bundle = JSON.parse(body) as { entry: { resource: { id: string }; request: { url: string } }[] };
      if (bundle.entry.some((e) => e.resource.id === poison.id)) {
        refusals++;
        res.writeHead(422, { 'content-type': 'application/fhir+json' }).end(JSON.stringify(outcome));
        return;
      }
      for (const e of bundle.entry) stored.set(e.request.url, e.resource);
      res.writeHead(200, { 'content-type': 'application/fhir+json' }).end(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction-response',
          entry: bundle.entry.map(() => ({ response: { status: '200 OK' } })),
        }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  const deadDir = path.join(dir, 'dead-letters');
  try {
    // when the captured traffic is published,
    const service = await startService({
      EVENTS_TOPIC: topic,
      AUDIT_INTERCHANGE_GROUP_ID: `${topic}.group`,
      AUDIT_FHIR_URL: `http://127.0.0.1:${port}/fhir`,
      AUDIT_FHIR_DEAD_LETTER_DIR: deadDir,
    });
    await publish(topic, run);
    // then every other AuditEvent reaches the server, the refused one is kept with the server's answer,
    await waitFor(
      () => stored.size >= expected.length - 1 || undefined,
      60_000,
      'every AuditEvent but the refused one at the server',
    );
    await service.checkpoint();
    // and the offsets move past it.
    const lag = await groupLag(topic, `${topic}.group`);
    assert.equal(lag.committed, lag.end);
    const stats = service.stats().destinations['fhir-http'];
    await service.stop();
    assert.equal(unauthorized, 0, 'the 401s were retried');
    assert.ok(refusals >= 2, 'the batch, then the resource alone');
    assert.equal(stats?.['deadLettered'], 1);
    assert.equal(stored.size, expected.length - 1);
    assert.ok(!stored.has(`AuditEvent/${poison.id}`));
    assert.equal(statSync(deadDir).mode & 0o777, 0o700);
    const files = readdirSync(deadDir);
    assert.equal(files.length, 1);
    assert.match(files[0]!, /^fhir-dead-letters-\d{4}-\d{2}-\d{2}\.ndjson$/);
    assert.equal(statSync(path.join(deadDir, files[0]!)).mode & 0o777, 0o600);
    const letters = readFileSync(path.join(deadDir, files[0]!), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(letters.length, 1);
    const letter = letters[0]!;
    assert.equal(letter['id'], poison.id);
    assert.equal(letter['event_id'], '110104');
    assert.equal(letter['status'], 422);
    assert.deepEqual(letter['outcome'], outcome);
    assert.equal((letter['resource'] as { id: string; resourceType: string }).id, poison.id);
    assert.equal((letter['resource'] as { resourceType: string }).resourceType, 'AuditEvent');
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test('the Security Alerts of refused TLS connections and the failed User Authentication are valid R4 AuditEvents', async () => {
  const messages = captureMessages(loadSecurityEvents());
  const resources = messages.map(auditEvent);
  const failed = resources.find((r) => JSON.stringify(r['type']).includes('110114'));
  assert.equal(failed?.['outcome'], '4');
  const verdicts = await validateFhir(resources);
  assert.equal(verdicts.length, messages.length);
  assert.deepEqual(
    verdicts
      .filter((v) => !v.valid)
      .map((v) => ({
        id: v.id,
        errors: v.issues.filter((i) => i.severity === 'error' || i.severity === 'fatal'),
      })),
    [],
  );
});
