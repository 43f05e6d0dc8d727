export { addUser, authenticate, CONSOLE_ROLES, type ConsoleRole, type ConsoleUser } from './accounts.js';
export { type AuditRecorder, createAuditRecorder } from './audit-recorder.js';
export { type ConsoleConfig, consoleConfigSpec } from './config.js';
export { checkDatabase, createPool } from './db.js';
export { createConsoleServer } from './server.js';
