/**
 * The OTLP http/protobuf path (OTEL_TRACES_EXPORTER=otlp): spans of a real dcmtk capture go through the official
 * exporter to an HTTP receiver in this test, which decodes the protobuf with protobufjs code generated from the
 * OTLP .proto files (shipped in @opentelemetry/otlp-transformer 0.52, installed as otlp-transformer-0.52). No OTLP
 * backend is installable on this machine (shared/research/infra.md §0); docker-compose's Jaeger is the real one.
 * Also: a failing backend is retried until it takes the spans.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { OffsetTracker } from '@dicomtrail/event-log';
import { createLogger } from '@dicomtrail/runtime';
import type { AssociationEvent } from '../src/association-record.js';
import { AssociationTracker, type ClosedAssociation } from '../src/association-tracker.js';
import { SpanSink } from '../src/otel-exporter.js';
import { buildSpans, type SpanDescription } from '../src/span-model.js';
import { type DecodedSpan, ExportTraceServiceRequest } from './support/otlp-decode.js';

const FIXTURE = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test/fixtures/dcmtk-capture.jsonl.gz',
);
const hex = (b: Uint8Array | null | undefined) => (b ? Buffer.from(b).toString('hex') : '');

let server: Server;
let url: string;
const received: { spans: DecodedSpan[]; resource: Record<string, string> }[] = [];
let failNext = 0;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(400).end(); // not retryable for the OTLP exporter: the sink's own retry takes over
        return;
      }
      assert.equal(req.headers['content-type'], 'application/x-protobuf');
      const msg = ExportTraceServiceRequest.decode(Buffer.concat(chunks));
      for (const rs of msg.resourceSpans) {
        const resource = Object.fromEntries(
          rs.resource.attributes.map((a) => [a.key, String(a.value.stringValue)]),
        );
        received.push({ spans: rs.scopeSpans.flatMap((s) => s.spans), resource });
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
});
after(() => server.close());

function captureSpans(): SpanDescription[] {
  const events = gunzipSync(readFileSync(FIXTURE))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as AssociationEvent);
  const tracker = new AssociationTracker(
    {
      pduEvents: false,
      fsmEvents: false,
      maxSpanEvents: 128,
      maxOpen: 10,
      timeoutMs: 1000,
      recentlyClosed: 10,
    },
    new OffsetTracker(),
  );
  const closed: ClosedAssociation[] = events.flatMap((e, i) =>
    tracker.accept(e, { topic: 't', partition: 0, offset: i }, 0),
  );
  return closed.flatMap((c) => buildSpans(c.record, { includePhi: false }));
}

test('OTLP/protobuf: ids, parents, exact times, attributes, events and error status arrive as described', async () => {
  const sink = new SpanSink(
    {
      exporter: 'otlp',
      otlpTracesUrl: url,
      serviceName: 'dicomtrail-otlp-test',
      serviceVersion: '0.1.0',
      zipkinEndpoint: 'http://unused',
      batchSize: 512,
      retryInitialMs: 50,
      retryMaxMs: 200,
    },
    createLogger('otlp-test', { level: 'silent' }),
  );
  const spans = captureSpans();
  failNext = 1; // the first request fails: the sink retries it
  sink.emit(spans);
  await sink.flush();
  await sink.stop();
  assert.ok(sink.failedAttempts >= 1, 'a failed attempt was retried');
  const got = received.flatMap((r) => r.spans);
  assert.equal(got.length, spans.length);
  assert.equal(received[0]!.resource['service.name'], 'dicomtrail-otlp-test');
  const byId = new Map(got.map((s) => [hex(s.spanId), s]));
  for (const d of spans) {
    const s = byId.get(d.spanId);
    assert.ok(s, `span ${d.name} ${d.spanId} received`);
    assert.equal(hex(s.traceId), d.traceId);
    assert.equal(hex(s.parentSpanId), d.parentSpanId ?? '');
    assert.equal(s.name, d.name);
    assert.equal(s.startTimeUnixNano.toString(), `${d.startUs}000`, 'start exact to the microsecond');
    assert.equal(s.endTimeUnixNano.toString(), `${d.endUs}000`);
    const attrs = Object.fromEntries(
      s.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.boolValue ?? String(a.value.intValue)]),
    );
    for (const [k, v] of Object.entries(d.attributes)) assert.equal(String(attrs[k]), String(v), k);
    assert.deepEqual(
      s.events.map((e) => e.name),
      d.events.map((e) => e.name),
    );
    assert.equal(s.status?.code ?? 0, d.status.code === 'error' ? 2 : 0);
    if (d.status.message) assert.equal(s.status?.message, d.status.message);
  }
  const abort = spans.find((d) => d.name === 'DICOM association ABORTER -> DICOMTRAIL')!;
  assert.equal(byId.get(abort.spanId)!.status!.message, 'aborted by service-user: not-significant');
  assert.equal(byId.get(abort.spanId)!.kind, 2, 'SPAN_KIND_SERVER');
});
