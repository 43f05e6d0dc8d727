import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { InfraUnavailableError } from './env.js';

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Runs a dcmtk tool (echoscu, storescu, findscu, ...) with TCP_NODELAY=1 (without it every DIMSE round trip
 * stalls ~88 ms on Nagle + delayed ACK: shared/research/performance.md F1). Bounded by `timeoutMs`.
 */
export function runDcmtk(
  tool: string,
  args: string[],
  opts: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<RunResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, {
      cwd: opts.cwd,
      env: { ...process.env, TCP_NODELAY: '1', ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (err.code === 'ENOENT') {
        reject(
          new InfraUnavailableError(
            'DT_ERR_NO_DCMTK',
            `${tool} not found: install dcmtk (apt-get install dcmtk)`,
          ),
        );
      } else reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 });
    });
  });
}

/** A free TCP port on 127.0.0.1 (asked from the kernel). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface QrArgs {
  /** Our AE title and the one called. */
  aet: string;
  aec: string;
  port: number;
  /** `-k` keys, e.g. `QueryRetrieveLevel=STUDY`, `StudyInstanceUID=1.2.3`, `PatientName`. */
  keys: string[];
  /** The information model: Study Root unless given (`-P` patient root, `-W` worklist, undefined: none). */
  model?: '-S' | '-P' | '-W' | undefined;
  /** More options (`-od DIR`, `-aem DEST`, `--cancel N`, `-X`). */
  extra?: string[];
}

/** The arguments of findscu, getscu or movescu against 127.0.0.1:port. */
export function qrArgs(o: QrArgs): string[] {
  const model = 'model' in o ? o.model : '-S';
  return [
    ...(model ? [model] : []),
    '-aet',
    o.aet,
    '-aec',
    o.aec,
    ...(o.extra ?? []),
    ...o.keys.flatMap((k) => ['-k', k]),
    '127.0.0.1',
    String(o.port),
  ];
}
