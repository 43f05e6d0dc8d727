export { DicomtrailError, asDicomtrailError } from './errors.js';
export { createLogger, REDACT_PATHS, type Logger } from './logger.js';
export { loadConfig, describeConfig, ConfigError, type ConfigSpec, type ConfigOf, type VarSpec } from './config.js';
export { onShutdown } from './shutdown.js';
