export {
  ConfigError,
  type ConfigOf,
  type ConfigSpec,
  configOrExit,
  describeConfig,
  loadConfig,
  loadConfigOrExit,
  type VarSpec,
} from './config.js';
export {
  checkDatabaseUrl,
  databaseUrlProblems,
  describeDatabaseError,
  redactDatabaseUrl,
} from './database-url.js';
export { asDicomtrailError, DicomtrailError } from './errors.js';
export {
  checkKeyFile,
  KeyFileError,
  problemCollectingReader,
  readKeyFile,
  readPublicFile,
  readSecretFile,
} from './key-files.js';
export { createLogger, type LogFormat, type Logger, REDACT_PATHS, resolveLogFormat } from './logger.js';
export { prettyLogLine } from './pretty-log.js';
export { routeProcessWarnings } from './process-warnings.js';
export { onShutdown } from './shutdown.js';
export {
  currentThreadId,
  setThreadNice,
  type ThreadPriorityResult,
  threadNice,
} from './thread-priority.js';
export { describeTlsFailure, errorChain, oneLine, type TlsFailure, tlsFailureOf } from './tls-failure.js';
