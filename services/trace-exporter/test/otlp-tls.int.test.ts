/**
 * OTLP http/protobuf over https with our own CA (OTEL_EXPORTER_OTLP_CERTIFICATE) and a client certificate
 * (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE, _CLIENT_KEY) to an https receiver in the test that requires one: the
 * spans arrive decoded at /v1/traces with their ids. Refused: a CA that did not sign the receiver's certificate
 * (the export is retried with a warning naming the variable, and nothing is lost once the receiver is trusted),
 * a client key readable by others (start-up error naming the file).
 */
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { createLogger, KeyFileError, loadConfig } from '@dicomtrail/runtime';
import {
  type CertFiles,
  type HttpsReceiver,
  makeCa,
  makeCert,
  startHttpsReceiver,
} from '@dicomtrail/testing';
import { traceExporterConfigSpec } from '../src/config.js';
import { SpanSink } from '../src/otel-exporter.js';
import type { SpanDescription } from '../src/span-model.js';
import { otlpTlsFromConfig } from '../src/trace-exporter.js';
import { ExportTraceServiceRequest } from './support/otlp-decode.js';

let dir: string;
let ca: CertFiles;
let otherCa: CertFiles;
let client: CertFiles;
let receiver: HttpsReceiver;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'dt-otlp-tls-'));
  ca = makeCa(dir, 'otlp-ca');
  otherCa = makeCa(dir, 'other-ca');
  client = makeCert(dir, ca, 'otlp-client', { cn: 'dicomtrail-trace-exporter' });
  receiver = await startHttpsReceiver(dir, ca, { requireClientCert: true });
});
after(async () => {
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const span = (i: number): SpanDescription => ({
  traceId: `${'ab'.repeat(15)}${i.toString(16).padStart(2, '0')}`,
  spanId: `${'cd'.repeat(7)}${i.toString(16).padStart(2, '0')}`,
  name: `association ${i}`,
  kind: 'server',
  startUs: 1_700_000_000_000_000 + i,
  endUs: 1_700_000_000_500_000 + i,
  attributes: { 'dicom.calling_ae_title': 'MODALITY' },
  status: { code: 'unset' },
  events: [],
  links: [],
});

function sinkFor(env: Record<string, string>, logFile: string): SpanSink {
  const config = loadConfig(traceExporterConfigSpec, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.origin,
    ...env,
  });
  return new SpanSink(
    {
      exporter: 'otlp',
      otlpTracesUrl: `${receiver.origin}/v1/traces`,
      otlpTls: otlpTlsFromConfig(config),
      serviceName: 'dicomtrail-otlp-tls-test',
      serviceVersion: '0.1.0',
      zipkinEndpoint: 'http://unused',
      batchSize: 512,
      retryInitialMs: 50,
      retryMaxMs: 200,
    },
    createLogger('otlp-tls-test', { level: 'warn', destination: logFile, format: 'json' }),
  );
}

function receivedTraceIds(): string[] {
  return receiver.requests.flatMap((r) => {
    assert.equal(r.path, '/v1/traces');
    assert.equal(r.contentType, 'application/x-protobuf');
    assert.equal(r.clientCn, 'dicomtrail-trace-exporter');
    return ExportTraceServiceRequest.decode(r.body).resourceSpans.flatMap((rs) =>
      rs.scopeSpans.flatMap((s) => s.spans.map((sp) => Buffer.from(sp.traceId).toString('hex'))),
    );
  });
}

const trusted = () => ({
  OTEL_EXPORTER_OTLP_CERTIFICATE: ca.cert,
  OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: client.cert,
  OTEL_EXPORTER_OTLP_CLIENT_KEY: client.key,
});

test('https with our CA and a client certificate: the spans arrive at /v1/traces', async () => {
  receiver.requests.length = 0;
  const sink = sinkFor(trusted(), path.join(dir, 'ok.log'));
  sink.emit([span(1), span(2)]);
  await sink.flush();
  await sink.stop();
  assert.deepEqual(receivedTraceIds().sort(), [span(1).traceId, span(2).traceId]);
});

test('an untrusted receiver certificate: the export is retried with a warning naming the CA variable; trusted, nothing is lost', async () => {
  receiver.requests.length = 0;
  // The CA file is replaced in place, as an operator would fix it; the sink keeps its spans until they are taken.
  const caFile = path.join(dir, 'configured-ca.pem');
  copyFileSync(otherCa.cert, caFile);
  const logFile = path.join(dir, 'untrusted.log');
  const sink = sinkFor({ ...trusted(), OTEL_EXPORTER_OTLP_CERTIFICATE: caFile }, logFile);
  sink.emit([span(3)]);
  const flushed = sink.flush();
  const t0 = Date.now();
  while (!readLog(logFile).includes('span export failed') && Date.now() - t0 < 10_000)
    await new Promise((r) => setTimeout(r, 50));
  sink.stopRetrying();
  await assert.rejects(flushed, /span export failed while stopping/);
  assert.equal(receiver.requests.length, 0);
  const warning = readLog(logFile);
  assert.match(warning, /trace backend: TLS certificate not trusted .*OTEL_EXPORTER_OTLP_CERTIFICATE/);
  await sink.stop();

  writeFileSync(caFile, readFileSync(ca.cert));
  const fixed = sinkFor({ ...trusted(), OTEL_EXPORTER_OTLP_CERTIFICATE: caFile }, logFile);
  fixed.emit([span(3)]);
  await fixed.flush();
  await fixed.stop();
  assert.deepEqual(receivedTraceIds(), [span(3).traceId]);
});

test('a client key readable by others is refused, naming the file and the variable', () => {
  const loose = path.join(dir, 'otlp-client-loose.key');
  copyFileSync(client.key, loose);
  chmodSync(loose, 0o640);
  const config = loadConfig(traceExporterConfigSpec, { ...trusted(), OTEL_EXPORTER_OTLP_CLIENT_KEY: loose });
  assert.throws(
    () => otlpTlsFromConfig(config),
    (e: unknown) =>
      e instanceof KeyFileError &&
      e.message.startsWith(`OTEL_EXPORTER_OTLP_CLIENT_KEY: ${loose} has mode 0640`) &&
      !e.message.includes('PRIVATE KEY'),
  );
});

function readLog(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
