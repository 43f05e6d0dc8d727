/**
 * Anchors on the ATNA stream, end to end: the captured traffic go through Kafka into the Postgres trail (the real
 * audit writer); the real anchoring process (`dicomtrail audit anchor`, AUDIT_ANCHOR_EVENTS=true) signs the chain
 * heads into its directory and publishes each anchor on the event topic; the audit interchange sends it, as a
 * 110101 Audit Log Used message carrying the anchor, to rsyslogd over TLS (and as an AuditEvent to NDJSON). From
 * what rsyslogd wrote alone, the anchors are rebuilt and `audit verify --anchors` logic checks the trail against
 * them: it holds; an anchor edited after it left does not. The same run dumps one message of each kind as the
 * receiver wrote it (to $ATNA_RECEIVED_DUMP when set: what docs/audit-interchange.md shows).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  type Anchor,
  generateAnchorKey,
  LOGIN_ROLES,
  loadAnchorPublicKey,
  loginUrl,
  readAnchorFiles,
  startAuditWriter,
  verifyWithAnchors,
  writeAnchorFile,
} from '@dicomtrail/audit-writer';
import { migrate } from '@dicomtrail/migrations';
import { createLogger } from '@dicomtrail/runtime';
import {
  createTestDatabase,
  freePort,
  kafkaBrokers,
  type TestDatabase,
  uniqueTopic,
} from '@dicomtrail/testing';
import pg from 'pg';
import { EVENT } from '../src/codes.js';
import { ANCHOR_DETAIL } from '../src/messages/chain-anchored.js';
import { loadCapture, loadSecurityEvents } from './support/captured-traffic.js';
import { makePki, type Pki } from './support/certs.js';
import {
  parseSyslogLine,
  type ReceivedMessage,
  type Rsyslog,
  rsyslog,
  tlsDestinationEnv,
} from './support/rsyslog.js';
import { asNewTraffic, createTopic, publish, startService, waitFor } from './support/stack.js';
import { validateFhir, xmllint } from './support/validators.js';

const CLI = fileURLToPath(new URL('../../../cli/dist/src/dicomtrail.js', import.meta.url));
let db: TestDatabase;
let dir: string;
let pki: Pki;
let arr: Rsyslog;
let anchorProcess: ChildProcess | undefined;

before(async () => {
  db = await createTestDatabase('atna_anchors');
  await migrate(db.url);
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-atna-anchors-'));
  pki = makePki(path.join(dir, 'pki'));
  arr = rsyslog(dir, pki, await freePort(), await freePort());
  await arr.start();
});
after(async () => {
  anchorProcess?.kill('SIGKILL');
  await arr?.stop();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** The anchor a received 110101 message carries (its ParticipantObjectDetail, base64 of the anchor's JSON). */
function anchorOf(m: ReceivedMessage): Anchor | undefined {
  const detail = new RegExp(
    `<ParticipantObjectDetail type="${ANCHOR_DETAIL.replace(/[./]/g, '\\$&')}" value="([^"]+)"/>`,
  );
  const value = detail.exec(m.xml)?.[1];
  return value ? (JSON.parse(Buffer.from(value, 'base64').toString('utf8')) as Anchor) : undefined;
}

/** One message of each kind (EventID, its EventTypeCodes, action and outcome), as rsyslogd wrote it. */
function oneOfEachKind(lines: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const line of lines) {
    const xml = parseSyslogLine(line).xml;
    const id = /<EventID csd-code="(\d+)"/.exec(xml)?.[1];
    const type = [...xml.matchAll(/<EventTypeCode csd-code="([^"]+)"/g)].map((m) => m[1]).join('+');
    const action = /EventActionCode="(\w)"/.exec(xml)?.[1] ?? '';
    const outcome = /EventOutcomeIndicator="(\d+)"/.exec(xml)?.[1] ?? '';
    const key = `${id} ${type} ${action} ${outcome}`;
    if (id && !seen.has(key)) seen.set(key, line);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, line]) => `# ${k}\n${line}`);
}

test('anchors made by the anchoring process reach rsyslogd as 110101 messages and verify the trail from what it wrote', async () => {
  const topic = uniqueTopic('atna-anchors');
  await createTopic(topic, 2);
  const brokers = await kafkaBrokers();
  // Given a trail written by the audit writer from the captured traffic,
  const traffic = [...asNewTraffic(loadCapture('audit-capture')), ...asNewTraffic(loadSecurityEvents())];
  await publish(topic, traffic);
  const writer = await startAuditWriter({
    brokers,
    databaseUrl: loginUrl(db.url, LOGIN_ROLES.writer),
    topic,
    groupId: `${topic}.writer`,
    maxWaitTimeMs: 50,
    log: createLogger('audit-writer-test', { level: 'silent' }),
  });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const ndjson = path.join(dir, 'ndjson');
  const service = await startService({
    EVENTS_TOPIC: topic,
    AUDIT_INTERCHANGE_GROUP_ID: `${topic}.interchange`,
    ...tlsDestinationEnv(arr, pki),
    AUDIT_FHIR_NDJSON_DIR: ndjson,
  });
  const anchors = path.join(dir, 'anchors');
  try {
    await waitFor(
      async () => {
        const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM audit.events');
        return (rows[0]?.n ?? 0) >= traffic.length || undefined;
      },
      60_000,
      'the trail written',
    );
    // when the anchoring process runs with AUDIT_ANCHOR_EVENTS for a few intervals (while the writer records
    // its anchor events too) and stops,
    const key = generateAnchorKey(path.join(dir, 'key', 'anchor.pem'));
    let log = '';
    const child = spawn(process.execPath, [CLI, 'audit', 'anchor'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        AUDIT_ANCHOR_KEY: key.keyPath,
        AUDIT_ANCHOR_DIR: anchors,
        AUDIT_ANCHOR_INTERVAL_MS: '400',
        AUDIT_ANCHOR_EVENTS: 'true',
        AUDIT_ANCHOR_NODE_ID: 'anchor-test',
        KAFKA_BROKERS: brokers.join(','),
        EVENTS_TOPIC: topic,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    anchorProcess = child;
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(() => readAnchorFiles(anchors).length >= 4 || undefined, 60_000, 'four anchors written');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, log);
    anchorProcess = undefined;
    assert.match(log, /anchors also published on the event topic/);
    assert.doesNotMatch(log, /"level":(50|60)/, 'no errors logged');
    const written = readAnchorFiles(anchors).map((f) => JSON.parse(f.text) as Anchor);

    // then every anchor arrives at rsyslogd, carried whole by a 110101 Audit Log Used message,
    const fromReceiver = new Map<number, Anchor>();
    await waitFor(
      () => {
        for (const line of arr.lines()) {
          const a = anchorOf(parseSyslogLine(line));
          if (a) fromReceiver.set(a.seq, a);
        }
        return fromReceiver.size >= written.length || undefined;
      },
      60_000,
      'every anchor at the receiver',
    );
    await service.checkpoint();
    await writer.stop();
    for (const a of written)
      assert.deepEqual(fromReceiver.get(a.seq), a, `anchor ${a.seq} arrived as written`);

    // and the anchors rebuilt from the receiver's file alone verify the trail (audit verify --anchors),
    const rebuilt = path.join(dir, 'from-receiver');
    for (const a of fromReceiver.values()) writeAnchorFile(rebuilt, a);
    const publicKey = loadAnchorPublicKey(key.publicKeyPath);
    const report = await verifyWithAnchors(pool, { dir: rebuilt, publicKey, minRetentionDays: 1 });
    assert.equal(report.discrepancy, undefined);
    assert.equal(report.ok, true);
    assert.equal(report.anchors, written.length);
    // while an anchor edited after it left is caught.
    const edited = path.join(dir, 'edited');
    for (const a of fromReceiver.values()) {
      const head = a.heads[0];
      writeAnchorFile(
        edited,
        a.seq === 1 && head
          ? { ...a, heads: [{ ...head, position: head.position + 1 }, ...a.heads.slice(1)] }
          : a,
      );
    }
    const caught = await verifyWithAnchors(pool, { dir: edited, publicKey, minRetentionDays: 1 });
    assert.equal(caught.ok, false);
    assert.match(caught.discrepancy ?? '', /signature/);

    // The 110101 messages and AuditEvents are valid (A.5.1 schema, HAPI R4).
    const anchorLines = arr.lines().filter((l) => l.includes('csd-code="110101"'));
    const xml = await xmllint(anchorLines.map((l) => parseSyslogLine(l).xml));
    assert.deepEqual(xml.invalid, []);
    const resources = readdirSync(ndjson)
      .flatMap((f) => readFileSync(path.join(ndjson, f), 'utf8').trim().split('\n'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => JSON.stringify(r['type']).includes('110101'));
    assert.ok(resources.length >= written.length);
    const verdicts = await validateFhir(resources.slice(0, 2));
    assert.deepEqual(
      verdicts.filter((v) => !v.valid).map((v) => v.issues.filter((i) => i.severity === 'error')),
      [],
    );

    // One message of each kind, as the receiver wrote it.
    const kinds = oneOfEachKind(arr.lines());
    const ids = new Set(kinds.map((k) => k.slice(2, 8)));
    for (const { code } of Object.values(EVENT))
      assert.ok(ids.has(code), `a ${code} message at the receiver`);
    const dump = process.env['ATNA_RECEIVED_DUMP'];
    if (dump) writeFileSync(dump, `${kinds.join('\n\n')}\n`);
  } finally {
    await service.stop();
    await writer.stop().catch(() => {});
    await pool.end();
  }
});
