/**
 * An https endpoint for tests of clients that post over TLS (e.g. OTLP http/protobuf): its certificate from the
 * test's CA, optionally requiring a client certificate signed by that CA; it keeps every request (path, content
 * type, body, the client certificate's CN) and answers 200.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type CertFiles, makeCert } from './tls-certs.js';

export interface ReceivedRequest {
  path: string;
  contentType: string | undefined;
  body: Buffer;
  clientCn: string | undefined;
}

export interface HttpsReceiver {
  /** https://127.0.0.1:<port> */
  readonly origin: string;
  readonly requests: ReceivedRequest[];
  /** TLS handshakes that failed (e.g. a client that does not trust us, or has no certificate). */
  readonly tlsErrors: string[];
  close(): Promise<void>;
}

export async function startHttpsReceiver(
  dir: string,
  ca: CertFiles,
  opts: { requireClientCert: boolean },
): Promise<HttpsReceiver> {
  const cert = makeCert(dir, ca, 'https-receiver', { cn: '127.0.0.1', ips: ['127.0.0.1'] });
  const requests: ReceivedRequest[] = [];
  const tlsErrors: string[] = [];
  const server: Server = createServer(
    {
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      ca: readFileSync(ca.cert),
      requestCert: opts.requireClientCert,
      rejectUnauthorized: opts.requireClientCert,
      minVersion: 'TLSv1.2',
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const peer = (req.socket as TLSSocket).getPeerCertificate();
        requests.push({
          path: req.url ?? '',
          contentType: req.headers['content-type'],
          body: Buffer.concat(chunks),
          clientCn: peer?.subject?.CN?.toString(),
        });
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    },
  );
  server.on('tlsClientError', (err) => tlsErrors.push(err.message));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    tlsErrors,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
