/**
 * Syslog over UDP (RFC 5426): one RFC 5424 message per datagram, no framing. UDP has no acknowledgement and
 * no connection: a message counts as delivered once the kernel sent its datagram, and a lost datagram is lost
 * (RFC 5426 8.1); use TLS (tls-destination.ts) where every record must arrive. A message larger than a UDP
 * datagram can carry (65,507 bytes over IPv4) is an error logged with its id, never silently cut.
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from '../audit-message.js';
import type { Destination } from '../destination.js';
import { type SyslogHeader, syslogMessage } from './rfc5424.js';

const MAX_DATAGRAM = 65_507;

export class SyslogUdpDestination implements Destination {
  readonly name = 'syslog-udp';
  readonly #socket: dgram.Socket;
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  readonly #counts = { delivered: 0, oversized: 0, failures: 0 };

  constructor(private readonly o: { host: string; port: number; header: SyslogHeader; log: Logger }) {
    this.#socket = dgram.createSocket(isIPv6(o.host) ? 'udp6' : 'udp4');
    this.#socket.unref();
  }

  get pending(): number {
    return this.#pending;
  }

  room(): Promise<void> {
    return this.#queue;
  }

  stats(): Record<string, number> {
    return { ...this.#counts, pending: this.#pending };
  }

  deliver(messages: readonly AuditMessage[], done: () => void): void {
    this.#pending += messages.length;
    this.#queue = this.#queue.then(async () => {
      for (const m of messages) {
        const datagram = syslogMessage(m, this.o.header);
        if (datagram.length > MAX_DATAGRAM) {
          this.#counts.oversized++;
          this.o.log.error(
            { id: m.id, bytes: datagram.length },
            'audit message larger than a UDP datagram: not sent',
          );
        } else {
          await this.#send(datagram);
          this.#counts.delivered++;
        }
        this.#pending--;
      }
      done();
    });
  }

  async #send(datagram: Buffer): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) =>
          this.#socket.send(datagram, this.o.port, this.o.host, (err) => (err ? reject(err) : resolve())),
        );
        return;
      } catch (err) {
        // A local send error (no route, buffer full) is retried; what the network drops cannot be seen.
        this.#counts.failures++;
        if (attempt % 20 === 0)
          this.o.log.warn({ err: (err as Error).message }, 'syslog UDP send failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(5000, 50 * 2 ** Math.min(attempt, 7))));
      }
    }
  }

  async close(): Promise<void> {
    await this.#queue;
    this.#socket.close();
  }
}
