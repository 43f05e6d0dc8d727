export {
  ConfigError,
  type ConfigOf,
  type ConfigSpec,
  describeConfig,
  loadConfig,
  loadConfigOrExit,
  type VarSpec,
} from './config.js';
export { asDicomtrailError, DicomtrailError } from './errors.js';
export { createLogger, type LogFormat, type Logger, REDACT_PATHS, resolveLogFormat } from './logger.js';
export { prettyLogLine } from './pretty-log.js';
export { onShutdown } from './shutdown.js';
export {
  currentThreadId,
  setThreadNice,
  type ThreadPriorityResult,
  threadNice,
} from './thread-priority.js';
