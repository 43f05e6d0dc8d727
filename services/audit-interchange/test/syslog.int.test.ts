/**
 * ATNA over syslog against a real receiver: rsyslogd (rsyslog-openssl) started by the test, TLS with client
 * certificates from a CA made here with openssl, and UDP. The captured dcmtk run goes through the real Kafka
 * topic into the service; the receiver's file is parsed back, every message checked against RFC 5424 and the
 * PS3.15 A.5.1 schema (xmllint).
 *
 * The outage: the receiver is stopped for 60 s mid-run while a second run is published, and the service
 * itself is restarted during the outage (its undelivered messages are uncommitted, so the new instance reads
 * them again). After the receiver returns every message arrives; duplicates (at-least-once, see
 * syslog/tls-destination.ts) are recognised by their stable id, and the first copies are in order.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, uniqueTopic } from '@dicomtrail/testing';
import type { AuditMessage } from '../src/audit-message.js';
import { captureMessages, loadCapture } from './support/captured-traffic.js';
import { makePki, type Pki } from './support/certs.js';
import { parseSyslogLine, type ReceivedMessage, type Rsyslog, rsyslog } from './support/rsyslog.js';
import { asNewTraffic, createTopic, groupLag, publish, startService, waitFor } from './support/stack.js';
import { xmllint } from './support/validators.js';

let dir: string;
let pki: Pki;
let arr: Rsyslog;
const capture = loadCapture('audit-capture');

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-syslog-'));
  pki = makePki(path.join(dir, 'pki'));
  arr = rsyslog(dir, pki, await freePort(), await freePort());
  await arr.start();
});

after(async () => {
  await arr?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function received(): ReceivedMessage[] {
  return arr.lines().map(parseSyslogLine);
}

/** The first copy of each id, in the order the receiver wrote them; and how many copies were extra. */
function firstCopies(messages: readonly ReceivedMessage[]): {
  unique: ReceivedMessage[];
  duplicates: number;
} {
  const seen = new Set<string>();
  const unique: ReceivedMessage[] = [];
  for (const m of messages) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    unique.push(m);
  }
  return { unique, duplicates: messages.length - unique.length };
}

/** Each association's messages arrive in the order they were made, and run 1 entirely before run 2. */
function assertInOrder(got: readonly ReceivedMessage[], runs: readonly AuditMessage[][]): void {
  const position = new Map(got.map((m, i) => [m.id, i]));
  const lastOfRun1 = Math.max(...runs[0]!.map((m) => position.get(m.id) ?? -1));
  const firstOfRun2 = Math.min(...runs[1]!.map((m) => position.get(m.id) ?? Number.MAX_SAFE_INTEGER));
  assert.ok(lastOfRun1 < firstOfRun2, 'the messages of the first run before those of the second');
  for (const run of runs) {
    const byAssociation = new Map<string, number[]>();
    for (const m of run) {
      const key = m.trace?.associationId ?? m.id;
      byAssociation.set(key, [...(byAssociation.get(key) ?? []), position.get(m.id) ?? -1]);
    }
    for (const [association, positions] of byAssociation)
      assert.deepEqual(
        positions,
        [...positions].sort((a, b) => a - b),
        `order within association ${association}`,
      );
  }
}

test('TLS: every message of two runs arrives, schema-valid, through a 60 s receiver outage and a service restart', async () => {
  const topic = uniqueTopic('atna-tls');
  await createTopic(topic);
  const env = {
    EVENTS_TOPIC: topic,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.group`,
    AUDIT_SYSLOG_TRANSPORT: 'tls',
    AUDIT_SYSLOG_HOST: '127.0.0.1',
    AUDIT_SYSLOG_PORT: String(arr.tlsPort),
    AUDIT_SYSLOG_SERVERNAME: 'localhost',
    AUDIT_SYSLOG_CA_FILE: pki.ca,
    AUDIT_SYSLOG_CERT_FILE: pki.clientCert,
    AUDIT_SYSLOG_KEY_FILE: pki.clientKey,
    AUDIT_SYSLOG_HOSTNAME: 'dicomtrail-test',
  };
  const run1 = asNewTraffic(capture);
  const run2 = asNewTraffic(capture);
  const expected = [captureMessages(run1), captureMessages(run2)];
  const total = expected[0]!.length + expected[1]!.length;

  // Given the service and the receiver up, when the first run is published, then all of it arrives.
  let service = await startService(env);
  await publish(topic, run1);
  await waitFor(
    () => firstCopies(received()).unique.length >= expected[0]!.length || undefined,
    60_000,
    'run 1 at the receiver',
  );

  // When the receiver stops for 60 s while the second run is published and the service restarts,
  const before = arr.lines().length;
  await arr.stop();
  const outageStart = Date.now();
  await publish(topic, run2);
  await new Promise((r) => setTimeout(r, 8000));
  const lagDuringOutage = await groupLag(topic, `${topic}.group`);
  assert.ok(
    lagDuringOutage.committed < lagDuringOutage.end,
    'undelivered messages keep their offsets uncommitted',
  );
  await service.stop();
  service = await startService(env);
  await new Promise((r) => setTimeout(r, Math.max(0, 60_000 - (Date.now() - outageStart))));
  assert.equal(arr.lines().length, before, 'nothing arrives while the receiver is down');
  await arr.start();

  // then every message arrives once it is back, none lost, first copies in order.
  await waitFor(
    () => firstCopies(received()).unique.length >= total || undefined,
    60_000,
    'both runs at the receiver',
  );
  await service.checkpoint();
  const lag = await groupLag(topic, `${topic}.group`);
  assert.equal(lag.committed, lag.end, 'everything delivered is committed');
  await service.stop();

  const all = received();
  const { unique, duplicates } = firstCopies(all);
  const want = [...expected[0]!, ...expected[1]!];
  assert.deepEqual(
    new Set(unique.map((m) => m.id)),
    new Set(want.map((m) => m.id)),
    'exactly the expected messages',
  );
  assertInOrder(unique, expected);
  for (const dup of all) {
    const first = unique.find((m) => m.id === dup.id)!;
    // A copy is the same event as its first (same id, same EventIdentification). After a restart of the service
    // it can carry less participant detail (a C-MOVE's patient, folded from its sub-association's events in another
    // partition before the restart); receivers keep the first copy by its id.
    const identification = (xml: string) => xml.slice(0, xml.indexOf('</EventIdentification>'));
    assert.equal(identification(dup.xml), identification(first.xml), 'a copy is the same event as its first');
  }
  const run1Ids = new Set(expected[0]!.map((m) => m.id));
  // Copies come from frames written within AUDIT_SYSLOG_CONFIRM_MS of the receiver going away: here the captured traffic
  // that had just arrived when it was stopped.
  const dupOfRun1 = all.filter(
    (m, i) => run1Ids.has(m.id) && all.findIndex((x) => x.id === m.id) !== i,
  ).length;
  process.stdout.write(
    `# TLS outage: ${all.length} received, ${unique.length} unique, ${duplicates} duplicates recognised by id (${dupOfRun1} of run 1; lines before the outage: ${before})\n`,
  );

  // Every message as RFC 5424 with the ATNA header, and schema-valid XML.
  for (const m of unique) {
    assert.equal(m.msgId, 'IHE+RFC-3881');
    assert.equal(m.appName, 'dicomtrail');
    assert.equal(m.hostname, 'dicomtrail-test');
    assert.ok(m.pri === 85 || m.pri === 84, `facility 10, severity 5 or 4: ${m.pri}`);
    assert.equal(m.bom, true, 'the MSG starts with the UTF-8 BOM');
    assert.match(m.traceparent ?? '', /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  }
  const verdict = await xmllint(unique.map((m) => m.xml));
  assert.deepEqual(verdict.invalid, [], 'every message validates against the PS3.15 A.5.1 schema');
  assert.equal(verdict.valid, total);
  // The file the receiver wrote holds patient ids: this test's temporary folder only.
  assert.ok(statSync(arr.output).size > 0);
});

test('TLS: a receiver that refuses our certificate gets nothing and loses nothing', async () => {
  const topic = uniqueTopic('atna-tls-refused');
  await createTopic(topic, 1);
  const other = makePki(path.join(dir, 'other-pki'));
  const before = arr.lines().length;
  const env = {
    EVENTS_TOPIC: topic,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.group`,
    AUDIT_SYSLOG_TRANSPORT: 'tls',
    AUDIT_SYSLOG_PORT: String(arr.tlsPort),
    AUDIT_SYSLOG_SERVERNAME: 'localhost',
    AUDIT_SYSLOG_CA_FILE: pki.ca,
    // A client certificate from another CA: the receiver's x509/certvalid refuses the handshake.
    AUDIT_SYSLOG_CERT_FILE: other.clientCert,
    AUDIT_SYSLOG_KEY_FILE: other.clientKey,
  };
  const run = asNewTraffic(capture);
  let service = await startService(env);
  await publish(topic, run);
  await new Promise((r) => setTimeout(r, 5000));
  assert.equal(arr.lines().length, before, 'the receiver took nothing');
  const lag = await groupLag(topic, `${topic}.group`);
  assert.ok(lag.committed < lag.end, 'offsets stay uncommitted');
  assert.ok((service.stats().destinations['syslog-tls']?.['failures'] ?? 0) > 0);
  await service.stop();
  // With our own certificate the same group then delivers all of it.
  service = await startService({
    ...env,
    AUDIT_SYSLOG_CERT_FILE: pki.clientCert,
    AUDIT_SYSLOG_KEY_FILE: pki.clientKey,
  });
  const want = new Set(captureMessages(run).map((m) => m.id));
  await waitFor(
    () => [...want].every((id) => received().some((m) => m.id === id)) || undefined,
    60_000,
    'all after the fix',
  );
  await service.stop();
});

test('UDP (RFC 5426): one message per datagram, all of a run on loopback', async () => {
  const topic = uniqueTopic('atna-udp');
  await createTopic(topic, 1);
  const run = asNewTraffic(capture);
  const want = captureMessages(run);
  const service = await startService({
    EVENTS_TOPIC: topic,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.group`,
    AUDIT_SYSLOG_TRANSPORT: 'udp',
    AUDIT_SYSLOG_PORT: String(arr.udpPort),
  });
  await publish(topic, run);
  const ids = new Set(want.map((m) => m.id));
  const got = await waitFor(
    () => {
      const mine = received().filter((m) => ids.has(m.id));
      return mine.length >= want.length ? mine : undefined;
    },
    60_000,
    'the captured traffic over UDP',
  );
  await service.stop();
  assert.deepEqual(new Set(got.map((m) => m.id)), ids);
  const verdict = await xmllint(got.map((m) => m.xml));
  assert.deepEqual(verdict.invalid, []);
});
