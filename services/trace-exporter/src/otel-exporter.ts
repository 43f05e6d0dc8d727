/**
 * The edge where span descriptions become OpenTelemetry spans and leave the process. A TracerProvider whose
 * IdGenerator hands out the ids the description carries (set right before each synchronous startSpan, so it
 * does not matter that the Tracer asks for the span id before the trace id), explicit start, end and event times
 * (never the exporter's clock), and a processor that buffers ended spans until `flush()`, which exports them in
 * batches and retries until the backend takes them: nothing is dropped, and the caller commits Kafka offsets
 * only after `flush()` resolved.
 *
 * The SpanExporter follows the OTel SDK convention OTEL_TRACES_EXPORTER=otlp|zipkin|console: OTLP http/protobuf
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, _HEADERS, _TIMEOUT read by the SDK), Zipkin's
 * /api/v2/spans (OTEL_EXPORTER_ZIPKIN_ENDPOINT), or the console.
 */

import type { Logger } from '@dicomtrail/runtime';
import { DicomtrailError, describeTlsFailure, tlsFailureOf } from '@dicomtrail/runtime';
import {
  type Attributes,
  type Context,
  type HrTime,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  ConsoleSpanExporter,
  type IdGenerator,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { SpanDescription } from './span-model.js';

export type TracesExporterName = 'otlp' | 'zipkin' | 'console';

export interface OtlpTls {
  ca?: string;
  cert?: string;
  key?: string;
}

export interface SpanSinkOptions {
  exporter: TracesExporterName;
  serviceName: string;
  serviceVersion: string;
  /** OTEL_EXPORTER_ZIPKIN_ENDPOINT. */
  zipkinEndpoint: string;
  /** The OTLP traces URL; undefined: the SDK's default (http://localhost:4318/v1/traces). */
  otlpTracesUrl?: string | undefined;
  /** TLS towards an https OTLP endpoint: the CA to trust, our client certificate and key (PEM). */
  otlpTls?: OtlpTls | undefined;
  /** Spans per export request. */
  batchSize: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** A SpanExporter to use instead of the one named (tests). */
  spanExporter?: SpanExporter;
}

/** Ids for the next span: set right before startSpan, read back by the Tracer through the IdGenerator. */
class DescribedIds implements IdGenerator {
  traceId = '';
  spanId = '';
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Holds ended spans until the sink flushes them. */
class BufferingProcessor implements SpanProcessor {
  buffer: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.buffer.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export class ExportError extends DicomtrailError {}

const KIND: Record<SpanDescription['kind'], SpanKind> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
};

function hr(us: number): HrTime {
  const s = Math.floor(us / 1e6);
  return [s, Math.round((us - s * 1e6) * 1000)];
}

export function createSpanExporter(opts: SpanSinkOptions): SpanExporter {
  if (opts.spanExporter) return opts.spanExporter;
  switch (opts.exporter) {
    case 'zipkin':
      return new ZipkinExporter({ url: opts.zipkinEndpoint, serviceName: opts.serviceName });
    case 'console':
      return new ConsoleSpanExporter();
    case 'otlp':
      return new OTLPTraceExporter({
        ...(opts.otlpTracesUrl ? { url: opts.otlpTracesUrl } : {}),
        ...(opts.otlpTls ? { httpAgentOptions: { keepAlive: true, ...opts.otlpTls } } : {}),
      });
  }
}

export class SpanSink {
  readonly #ids = new DescribedIds();
  readonly #processor = new BufferingProcessor();
  readonly #provider: BasicTracerProvider;
  readonly #exporter: SpanExporter;
  readonly #tracer;
  #stopping = false;
  exportedSpans = 0;
  exportRequests = 0;
  failedAttempts = 0;

  constructor(
    private readonly opts: SpanSinkOptions,
    private readonly log: Logger,
  ) {
    this.#exporter = createSpanExporter(opts);
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        [ATTR_SERVICE_NAME]: opts.serviceName,
        [ATTR_SERVICE_VERSION]: opts.serviceVersion,
      }),
      idGenerator: this.#ids,
      spanProcessors: [this.#processor],
    });
    this.#tracer = this.#provider.getTracer('@dicomtrail/trace-exporter', opts.serviceVersion);
  }

  /** Spans waiting for flush(). */
  get buffered(): number {
    return this.#processor.buffer.length;
  }

  /** Turns the descriptions (parents before children) into ended spans in the buffer. */
  emit(spans: readonly SpanDescription[]): void {
    for (const d of spans) this.#emitOne(d);
  }

  #emitOne(d: SpanDescription): void {
    const parent: Context = d.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: d.traceId,
          spanId: d.parentSpanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: false,
        })
      : ROOT_CONTEXT;
    const links: Link[] = d.links.map((l) => ({
      context: { traceId: l.traceId, spanId: l.spanId, traceFlags: TraceFlags.SAMPLED },
      attributes: l.attributes,
    }));
    this.#ids.traceId = d.traceId;
    this.#ids.spanId = d.spanId;
    const span: Span = this.#tracer.startSpan(
      d.name,
      { kind: KIND[d.kind], startTime: hr(d.startUs), attributes: d.attributes as Attributes, links },
      parent,
    );
    for (const e of d.events) span.addEvent(e.name, e.attributes, hr(e.us));
    if (d.status.code === 'error')
      span.setStatus({
        code: SpanStatusCode.ERROR,
        ...(d.status.message ? { message: d.status.message } : {}),
      });
    span.end(hr(d.endUs));
  }

  /** Exports everything buffered, in batches, retrying each until the backend takes it (or stop() is called). */
  async flush(): Promise<void> {
    while (this.#processor.buffer.length > 0) {
      const batch = this.#processor.buffer.slice(0, this.opts.batchSize);
      await this.#exportWithRetry(batch);
      this.#processor.buffer.splice(0, batch.length);
      this.exportedSpans += batch.length;
    }
  }

  async #exportWithRetry(batch: ReadableSpan[]): Promise<void> {
    let delay = this.opts.retryInitialMs;
    for (let attempt = 1; ; attempt++) {
      this.exportRequests++;
      const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) =>
        this.#exporter.export(batch, resolve),
      );
      if (result.code === ExportResultCode.SUCCESS) return;
      this.failedAttempts++;
      if (this.#stopping)
        throw new ExportError(
          'DT_ERR_EXPORT',
          'span export failed while stopping; offsets stay uncommitted',
          {
            spans: batch.length,
            attempt,
            cause: result.error?.message,
          },
        );
      const tls = result.error ? tlsFailureOf(result.error) : undefined;
      this.log.warn(
        {
          err: result.error,
          ...(tls
            ? {
                cause: describeTlsFailure(tls, 'trace backend', {
                  caVariable: 'OTEL_EXPORTER_OTLP_CERTIFICATE',
                  certVariable: 'OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE',
                }),
              }
            : {}),
          spans: batch.length,
          attempt,
          retryInMs: delay,
          exporter: this.opts.exporter,
        },
        'span export failed; retrying',
      );
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, this.opts.retryMaxMs);
    }
  }

  /** Stops retrying (a pending flush() then rejects) and shuts the exporter down. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#provider.shutdown();
    await this.#exporter.shutdown();
  }

  /** Only stop retrying, for a shutdown that still flushes once. */
  stopRetrying(): void {
    this.#stopping = true;
  }
}
