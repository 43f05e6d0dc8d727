#!/usr/bin/env node
import { describeKafkaSecurity, kafkaSecurityFromConfig } from '@dicomtrail/event-log';
import {
  configOrExit,
  createLogger,
  loadConfigOrExit,
  onShutdown,
  routeProcessWarnings,
} from '@dicomtrail/runtime';
import { traceExporterConfigSpec } from './config.js';
import { otlpTlsFromConfig, startTraceExporter } from './trace-exporter.js';

const log = createLogger('trace-exporter');
routeProcessWarnings(log);
const config = loadConfigOrExit(traceExporterConfigSpec, log);
const kafkaSecurity = configOrExit(() => kafkaSecurityFromConfig(config), log);
const otlpTls = configOrExit(() => otlpTlsFromConfig(config), log);
log.info(describeKafkaSecurity(config, kafkaSecurity), 'kafka link security');
const exporter = await startTraceExporter(config, log, { kafkaSecurity, otlpTls }).catch((err: unknown) => {
  log.fatal(
    { err: { message: (err as Error).message, code: (err as { code?: unknown }).code } },
    'trace exporter could not start',
  );
  log.flush();
  process.exit(1);
});
onShutdown(log, [() => exporter.stop()]);
