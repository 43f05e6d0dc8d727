/**
 * A second, private Kafka broker for outage tests (infra/kafka/kafka.sh with its own KAFKA_PORT and
 * KAFKA_STATE_DIR), which a test may stop and start; the shared broker `npm test` started is never touched.
 * The broker jars are shared with the main instance (a symlink to its `libs`), so nothing is downloaded.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const SCRIPT = path.join(ROOT, 'infra/kafka/kafka.sh');

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port p with p+1 (the controller's) free too, away from 9092. */
async function portPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + Math.floor(Math.random() * 20000);
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free port pair for a private broker');
}

export class PrivateBroker {
  private constructor(
    readonly port: number,
    readonly stateDir: string,
  ) {}

  get brokers(): string[] {
    return [`127.0.0.1:${this.port}`];
  }

  static async create(): Promise<PrivateBroker> {
    const port = await portPair();
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'dt-private-kafka-'));
    const mainLibs = path.join(
      process.env['KAFKA_STATE_DIR'] ?? path.join(ROOT, 'infra/kafka/.kafka'),
      'libs',
    );
    if (existsSync(path.join(mainLibs, '.complete'))) symlinkSync(mainLibs, path.join(stateDir, 'libs'));
    else mkdirSync(path.join(stateDir, 'libs'));
    return new PrivateBroker(port, stateDir);
  }

  #run(cmd: 'start' | 'stop'): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(
        'bash',
        [SCRIPT, cmd],
        {
          env: {
            ...process.env,
            KAFKA_PORT: String(this.port),
            KAFKA_STATE_DIR: this.stateDir,
            KAFKA_HEAP: '384m',
          },
          // A JVM start on a loaded 2-core machine can take minutes.
          timeout: 240_000,
        },
        (err, _stdout, stderr) =>
          err ? reject(new Error(`kafka.sh ${cmd}: ${err.message}\n${stderr}`)) : resolve(),
      );
    });
  }

  start(): Promise<void> {
    return this.#run('start');
  }

  stop(): Promise<void> {
    return this.#run('stop');
  }

  /** Stops the broker and removes its state. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    // The jars are the main instance's: remove the link, never what it points to.
    const libs = path.join(this.stateDir, 'libs');
    if (existsSync(libs) && lstatSync(libs).isSymbolicLink()) unlinkSync(libs);
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
