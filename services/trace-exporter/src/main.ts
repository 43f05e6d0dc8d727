#!/usr/bin/env node
import { createLogger, loadConfigOrExit, onShutdown } from '@dicomtrail/runtime';
import { traceExporterConfigSpec } from './config.js';
import { startTraceExporter } from './trace-exporter.js';

const log = createLogger('trace-exporter');
const config = loadConfigOrExit(traceExporterConfigSpec, log);
const exporter = await startTraceExporter(config, log);
onShutdown(log, [() => exporter.stop()]);
