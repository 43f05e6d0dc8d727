/**
 * The real stack for the trace exporter's integration tests: the adapter CLI as its own process publishing to a
 * topic of the test's own, instances made with dcmtk's dump2dcm, the exporter in-process (or as a process), and
 * Zipkin queried through its own HTTP API.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger, loadConfig } from '@dicomtrail/runtime';
import {
  type AdapterProcess,
  kafkaBrokers,
  runDcmtk,
  startAdapterProcess,
  zipkinUrl,
} from '@dicomtrail/testing';
import { startTraceExporter, type TraceExporter, traceExporterConfigSpec } from '../../src/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const EXPORTER_MAIN = path.resolve(here, '../../src/main.js');

export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A node process with LOG_LEVEL=info, resolved once its output shows `ready`. */
export async function spawnNode(
  args: string[],
  env: Record<string, string>,
  ready: string,
): Promise<ChildProcess> {
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  await waitFor(() => out.includes(ready) || undefined, 20_000, `"${ready}" (output: ${out.slice(-500)})`);
  return proc;
}

export type Adapter = AdapterProcess;

export async function startAdapter(topic: string, aeTitle = 'DICOMTRAIL'): Promise<Adapter> {
  return startAdapterProcess({ topic, brokers: await kafkaBrokers(), aeTitle });
}

export interface InstanceSpec {
  sopInstanceUid: string;
  studyUid: string;
  patientId?: string;
}

/** A Secondary Capture Part 10 file written by dcmtk's dump2dcm. */
export async function writeInstance(file: string, spec: InstanceSpec): Promise<void> {
  const dump = [
    '(0008,0016) UI =SecondaryCaptureImageStorage',
    `(0008,0018) UI [${spec.sopInstanceUid}]`,
    '(0008,0020) DA [20260101]',
    '(0008,0050) SH [ACC-TRACE]',
    '(0008,0060) CS [OT]',
    '(0010,0010) PN [Doe^Jane]',
    `(0010,0020) LO [${spec.patientId ?? 'PID-TRACE'}]`,
    `(0020,000d) UI [${spec.studyUid}]`,
    `(0020,000e) UI [${spec.studyUid}.1]`,
  ].join('\n');
  writeFileSync(`${file}.dump`, `${dump}\n`);
  const r = await runDcmtk('dump2dcm', ['--write-xfer-little', `${file}.dump`, file]);
  if (r.code !== 0) throw new Error(`dump2dcm failed: ${r.stderr}`);
}

/** The environment a test exporter runs with: its own topic, group and service name, Zipkin, quick commits. */
export async function exporterEnv(topic: string, serviceName: string, extra: Record<string, string> = {}) {
  return {
    KAFKA_BROKERS: (await kafkaBrokers()).join(','),
    EVENTS_TOPIC: topic,
    TRACE_EXPORTER_GROUP_ID: `test-trace-${serviceName}`,
    OTEL_TRACES_EXPORTER: 'zipkin',
    OTEL_EXPORTER_ZIPKIN_ENDPOINT: `${zipkinUrl()}/api/v2/spans`,
    OTEL_SERVICE_NAME: serviceName,
    TRACE_COMMIT_INTERVAL_MS: '200',
    ...extra,
  };
}

export async function startExporterInProcess(env: Record<string, string>): Promise<TraceExporter> {
  const config = loadConfig(traceExporterConfigSpec, env);
  return startTraceExporter(
    config,
    createLogger('trace-exporter-test', { level: process.env['LOG_LEVEL'] ?? 'warn' }),
  );
}

export interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  timestamp: number;
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
  annotations?: { timestamp: number; value: string }[];
}

export async function zipkinGet<T>(pathAndQuery: string): Promise<T> {
  const res = await fetch(`${zipkinUrl()}${pathAndQuery}`);
  if (!res.ok) throw new Error(`Zipkin ${pathAndQuery}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Every trace of a service (Zipkin's search, looking back one day). */
export function zipkinTraces(serviceName: string, limit = 1000): Promise<ZipkinSpan[][]> {
  return zipkinGet(
    `/api/v2/traces?serviceName=${encodeURIComponent(serviceName)}&limit=${limit}&lookback=86400000`,
  );
}

export function rootOf(trace: readonly ZipkinSpan[]): ZipkinSpan | undefined {
  return trace.find((s) => s.parentId === undefined);
}

/** Waits until Zipkin shows a trace whose root span has the calling AE title, with at least `spans` spans. */
export function waitForTrace(serviceName: string, callingAe: string, spans: number): Promise<ZipkinSpan[]> {
  return waitFor(
    async () =>
      (await zipkinTraces(serviceName)).find(
        (t) => rootOf(t)?.tags?.['dicom.calling_ae_title'] === callingAe && t.length >= spans,
      ),
    20_000,
    `a trace from ${callingAe} with ${spans} spans in Zipkin`,
  );
}
