export { type AssociationEvent, AssociationRecord, type RecordOptions } from './association-record.js';
export { AssociationTracker, type ClosedAssociation } from './association-tracker.js';
export * as attributes from './attributes.js';
export { type TraceExporterConfig, traceExporterConfigSpec } from './config.js';
export { SpanSink } from './otel-exporter.js';
export { sopClassLabel, sopClassName } from './sop-class-names.js';
export { buildSpans, type SpanDescription } from './span-model.js';
export {
  startTraceExporter,
  type TraceExporter,
  type TraceExporterOptions,
  type TraceExporterStats,
} from './trace-exporter.js';
