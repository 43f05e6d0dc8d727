/**
 * A dicomtrail service or CLI run as a real Node process, as a user runs it: everything it writes to stdout and
 * stderr is kept (tests look for what it says, and for what it must never say).
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface NodeProcess {
  readonly proc: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  out(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** Resolves when `text` appears in the output; rejects if the process exits first or after `timeoutMs`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

export function startNode(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): NodeProcess {
  const proc = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, LOG_FORMAT: 'json', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const has = (text: string | RegExp) => (typeof text === 'string' ? out.includes(text) : text.test(out));
  return {
    proc,
    out: () => out,
    exited,
    async waitFor(text, timeoutMs = 30_000) {
      const t0 = Date.now();
      while (!has(text)) {
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(
            `${script} exited (${proc.exitCode ?? proc.signalCode}) before ${text}:\n${out.slice(-3000)}`,
          );
        if (Date.now() - t0 > timeoutMs)
          throw new Error(`${script}: no ${text} within ${timeoutMs} ms:\n${out.slice(-3000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(graceMs = 10_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Runs `script` to its end (killed after `timeoutMs`): exit code and output. */
export async function runNode(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; out: string }> {
  const p = startNode(script, args, env);
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), timeoutMs);
  const code = await p.exited;
  clearTimeout(timer);
  return { code, out: p.out() };
}
