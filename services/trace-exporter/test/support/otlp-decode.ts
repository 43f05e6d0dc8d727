/**
 * OTLP ExportTraceServiceRequest decoding for the test receivers, with protobufjs code generated from the OTLP
 * .proto files (shipped in @opentelemetry/otlp-transformer 0.52, installed as otlp-transformer-0.52).
 */
import otlpRoot from 'otlp-transformer-0.52/build/src/generated/root.js';

export interface AnyValue {
  stringValue?: string;
  intValue?: { toString(): string } | number;
  boolValue?: boolean;
}
export interface DecodedSpan {
  traceId: Uint8Array;
  spanId: Uint8Array;
  parentSpanId: Uint8Array;
  name: string;
  kind: number;
  startTimeUnixNano: { toString(): string };
  endTimeUnixNano: { toString(): string };
  attributes: { key: string; value: AnyValue }[];
  events: { name: string; timeUnixNano: { toString(): string } }[];
  links: { traceId: Uint8Array; spanId: Uint8Array }[];
  status?: { code: number; message: string };
}
export const ExportTraceServiceRequest = (
  otlpRoot as unknown as {
    opentelemetry: {
      proto: {
        collector: {
          trace: {
            v1: {
              ExportTraceServiceRequest: {
                decode(b: Uint8Array): {
                  resourceSpans: {
                    resource: { attributes: { key: string; value: AnyValue }[] };
                    scopeSpans: { spans: DecodedSpan[] }[];
                  }[];
                };
              };
            };
          };
        };
      };
    };
  }
).opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
