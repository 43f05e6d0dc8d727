/**
 * A small HTTP endpoint on 127.0.0.1 (HEALTH_PORT): `/healthz` (state and whether the adapter records what
 * it serves; 200, or 503 when the spool is full under fail-closed) and `/metrics` (the numbers as JSON).
 */
import { createServer, type Server } from 'node:http';

export interface HealthSource {
  /** connected / spooling / draining / recovered / connecting / degraded / off. */
  state(): string;
  healthy(): boolean;
  metrics(): Record<string, unknown>;
}

export function startHealthServer(
  port: number,
  source: HealthSource,
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    let status = 200;
    let body: unknown;
    if (url === '/healthz') {
      const ok = source.healthy();
      status = ok ? 200 : 503;
      body = { status: ok ? 'ok' : 'degraded', state: source.state() };
    } else if (url === '/metrics') {
      body = { state: source.state(), ...source.metrics() };
    } else {
      status = 404;
      body = { error: 'not found', paths: ['/healthz', '/metrics'] };
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : port });
    });
  });
}
