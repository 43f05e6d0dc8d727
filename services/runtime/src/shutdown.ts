import type { Logger } from './logger.js';

/**
 * SIGTERM/SIGINT → run the closers in order, each within the grace period, then exit.
 * A second signal exits at once.
 */
export function onShutdown(log: Logger, closers: Array<() => Promise<void>>, graceMs = 10_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      log.error({ graceMs }, 'shutdown grace period exceeded; exiting');
      process.exit(1);
    }, graceMs + 1000);
    timer.unref();
    (async () => {
      for (const close of closers) {
        try {
          await close();
        } catch (err) {
          log.error({ err }, 'error while shutting down');
        }
      }
      log.info('stopped');
      log.flush?.();
      process.exit(0);
    })();
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
