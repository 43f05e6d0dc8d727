/**
 * `dicomtrail echo|store [options] HOST PORT [FILE...]`: our SCU from the command line, plaintext or DICOM TLS
 * (BCP 195 profile: `--tls` with `--tls-ca`, and `--tls-cert` / `--tls-key` for a peer that wants a client
 * certificate; the key must be 0600). `echo` sends a C-ECHO; `store` sends each Part 10 file in its own transfer
 * syntax. Prints one line per request with its status; exit 0 when every status is success, 1 otherwise, 2 for
 * bad usage. `dicomtrail echo --help` is answered by the CLI (services/cli/src/commands.ts).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createLogger } from '@dicomtrail/runtime';
import { associate, type ProposedContext } from '../association/client.js';
import { readPart10 } from '../dataset/part10.js';
import { EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN } from '../dataset/transfer-syntaxes.js';
import { VERIFICATION } from '../dataset/uids.js';
import { loadOutboundTls, type OutboundTls } from '../tls/outbound-tls.js';

const log = createLogger('scu', { level: process.env['LOG_LEVEL'] ?? 'warn' });

function usage(command: string, why: string): number {
  process.stderr.write(`dicomtrail ${command}: ${why} (dicomtrail ${command} --help)\n`);
  return 2;
}

function hex(status: number): string {
  return `0x${status.toString(16).padStart(4, '0').toUpperCase()}`;
}

async function main(argv: readonly string[]): Promise<number> {
  const command = argv[0] === 'store' ? 'store' : 'echo';
  const { values, positionals } = parseArgs({
    args: argv.slice(1),
    allowPositionals: true,
    options: {
      aet: { type: 'string', default: 'DICOMTRAIL' },
      aec: { type: 'string', default: 'ANY-SCP' },
      tls: { type: 'boolean', default: false },
      'tls-ca': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-servername': { type: 'string' },
    },
  });
  const [host, portText, ...files] = positionals;
  const port = Number(portText);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    return usage(command, 'expected HOST PORT');
  if (command === 'store' && files.length === 0) return usage(command, 'expected at least one FILE');
  const tlsWanted = values.tls || values['tls-ca'] !== undefined || values['tls-cert'] !== undefined;
  let tls: OutboundTls | undefined;
  if (tlsWanted) {
    if (!values['tls-ca'])
      return usage(command, '--tls needs --tls-ca (the CA that signs the peer certificate)');
    if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
      return usage(command, '--tls-cert and --tls-key go together');
    tls = {
      files: {
        ca: values['tls-ca'],
        ...(values['tls-cert'] ? { cert: values['tls-cert'] } : {}),
        ...(values['tls-key'] ? { key: values['tls-key'] } : {}),
      },
      ...(values['tls-servername'] ? { servername: values['tls-servername'] } : {}),
    };
    try {
      loadOutboundTls(tls, {}, '--tls');
    } catch (err) {
      process.stderr.write(`dicomtrail ${command}: ${(err as Error).message}\n`);
      return 2;
    }
  }
  const instances = files.map((file) => {
    const p10 = readPart10(readFileSync(file));
    return { file, sopClass: String(p10.fileMeta['00020002']?.Value?.[0] ?? ''), ts: p10.transferSyntaxUid };
  });
  const contexts: ProposedContext[] =
    command === 'echo'
      ? [
          {
            abstractSyntax: VERIFICATION,
            transferSyntaxes: [EXPLICIT_VR_LITTLE_ENDIAN, IMPLICIT_VR_LITTLE_ENDIAN],
          },
        ]
      : [...new Map(instances.map((i) => [`${i.sopClass}|${i.ts}`, i])).values()].map((i) => ({
          abstractSyntax: i.sopClass,
          transferSyntaxes: [i.ts],
        }));
  const client = await associate({
    host,
    port,
    callingAeTitle: values.aet,
    calledAeTitle: values.aec,
    contexts,
    log,
    ...(tls ? { tls } : {}),
  });
  const secure = client.association.isEstablished && tls ? ' over TLS' : '';
  let failed = 0;
  try {
    if (command === 'echo') {
      const status = await client.echo();
      if (status !== 0) failed++;
      process.stdout.write(`C-ECHO ${host}:${port}${secure}: status ${hex(status)}\n`);
    } else {
      for (const i of instances) {
        const status = await client.storeFile(i.file);
        if (status !== 0) failed++;
        process.stdout.write(`C-STORE ${i.file}${secure}: status ${hex(status)}\n`);
      }
    }
  } finally {
    await client.release();
  }
  return failed === 0 ? 0 : 1;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`dicomtrail ${process.argv[2] ?? 'echo'}: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
