#!/usr/bin/env node
/**
 * dicomtrail console                                  runs the console (environment: README "Configuration")
 * dicomtrail console add-user NAME --role auditor|engineer
 *     creates a console account (or sets a new password and role); the password is read from standard input
 *     (one line; never from the command line, where other users and shell history would see it).
 */
import { createLogger, loadConfigOrExit } from '@dicomtrail/runtime';
import { addUser, CONSOLE_ROLES, type ConsoleRole } from './accounts.js';
import { consoleConfigSpec } from './config.js';
import { createPool } from './db.js';
import { runConsole } from './main.js';

const USAGE = 'usage: dicomtrail console [add-user NAME --role auditor|engineer  (password on stdin)]';

async function readPassword(): Promise<string> {
  if (process.stdin.isTTY)
    process.stderr.write('password (input is not hidden; pipe it in to keep it off the screen): ');
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) {
    chunks.push(c as Buffer);
    if (Buffer.concat(chunks).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
}

async function addUserCommand(args: string[]): Promise<number> {
  const name = args[0];
  const roleAt = args.indexOf('--role');
  const role = roleAt >= 0 ? args[roleAt + 1] : undefined;
  if (!name || name.startsWith('-') || !role || !CONSOLE_ROLES.includes(role as ConsoleRole)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const log = createLogger('console');
  const config = loadConfigOrExit(consoleConfigSpec, log);
  const password = await readPassword();
  const db = createPool(config.CONSOLE_DATABASE_URL, config.CONSOLE_DB_ROLE);
  try {
    const r = await addUser(db, name, role as ConsoleRole, password);
    process.stdout.write(`${r.created ? 'created' : 'updated'} console user ${name} (${role})\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`add-user failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await db.end();
  }
}

const [command, ...rest] = process.argv.slice(2);
if (command === 'add-user') process.exitCode = await addUserCommand(rest);
else if (command === undefined || command === 'run') await runConsole();
else {
  process.stderr.write(`${USAGE}\n`);
  process.exitCode = 2;
}
