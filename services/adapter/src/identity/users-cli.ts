/**
 * `dicomtrail users add NAME --file PATH`: adds or replaces a user in the users file (DICOM_USERS_FILE), the
 * password read from standard input (never from the command line, where `ps` would show it; on a terminal it is
 * asked for twice, without echo). `users remove NAME --file PATH`, `users list --file PATH`.
 * The file is written atomically with mode 0600; an existing file with wider permissions is refused.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { checkKeyFile } from '@dicomtrail/runtime';
import { hashPassword } from './password-hash.js';
import { parseUsersFile, userEntries, validUserName, writeUsersFile } from './users-file.js';

async function readStdinPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks)
      .toString('utf8')
      .replace(/\r?\n$/, '');
  }
  const ask = (prompt: string) =>
    new Promise<string>((resolve) => {
      process.stderr.write(prompt);
      process.stdin.setRawMode(true);
      process.stdin.resume();
      let typed = '';
      const onData = (data: Buffer) => {
        for (const ch of data.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            process.stdin.off('data', onData);
            process.stdin.setRawMode(false);
            process.stdin.pause();
            process.stderr.write('\n');
            resolve(typed);
            return;
          }
          if (ch === '\u0003') process.exit(130);
          if (ch === '\u007f') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      process.stdin.on('data', onData);
    });
  const first = await ask('password: ');
  const again = await ask('again: ');
  if (first !== again) throw new Error('the two passwords differ');
  return first;
}

function existing(file: string): string {
  if (!existsSync(file)) return '';
  checkKeyFile(file, 'users file');
  const text = readFileSync(file, 'utf8');
  parseUsersFile(text, file);
  return text;
}

async function main(argv: readonly string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { file: { type: 'string' } },
  });
  const [command, name] = positionals;
  if (!values.file) {
    process.stderr.write('dicomtrail users: --file PATH is required (the DICOM_USERS_FILE to write)\n');
    return 2;
  }
  const file = values.file;
  const entries = userEntries(existing(file));
  switch (command) {
    case 'add': {
      if (name === undefined || !validUserName(name)) {
        process.stderr.write('dicomtrail users add: a NAME of 1-64 characters without ":" is required\n');
        return 2;
      }
      const password = await readStdinPassword();
      if (password.length < 8) {
        process.stderr.write('dicomtrail users add: the password must have at least 8 characters\n');
        return 2;
      }
      const hash = await hashPassword(password);
      const replaced = entries.some((e) => e.name === name);
      writeUsersFile(file, [...entries.filter((e) => e.name !== name), { name, hash }]);
      process.stdout.write(`${replaced ? 'replaced' : 'added'} user ${name} in ${file}\n`);
      return 0;
    }
    case 'remove': {
      if (name === undefined || !entries.some((e) => e.name === name)) {
        process.stderr.write(`dicomtrail users remove: no user ${name ?? '(none given)'} in ${file}\n`);
        return 2;
      }
      writeUsersFile(
        file,
        entries.filter((e) => e.name !== name),
      );
      process.stdout.write(`removed user ${name} from ${file}\n`);
      return 0;
    }
    case 'list':
      for (const e of entries) process.stdout.write(`${e.name}\n`);
      return 0;
    default:
      process.stderr.write(`dicomtrail users: unknown subcommand '${command ?? ''}' (add | remove | list)\n`);
      return 2;
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`dicomtrail users: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
