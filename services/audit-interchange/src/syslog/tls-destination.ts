/**
 * Syslog over TLS (RFC 5425) to an Audit Record Repository: one long-lived connection (TLS 1.2+, the ARR's CA,
 * our client certificate), every message as an octet-counted RFC 5424 frame, in order.
 *
 * What "the receiver took it" means here. RFC 5425 has no application-level acknowledgement (RELP is another
 * protocol), so a frame counts as delivered when (1) its bytes were flushed into the TLS connection and (2) that
 * same connection then stayed up, without an error, end or close, for SYSLOG_CONFIRM_MS. A receiver that stops
 * or dies closes the connection (FIN or RST) well within that window, so frames written just before are not
 * counted. When a connection fails, every frame not yet counted is written again, in the same order, on the
 * next connection (reconnects back off from 200 ms to 5 s, for as long as it takes). The result is
 * at-least-once: a frame the receiver had read just before it went away may arrive twice. Each carries its stable
 * id in its structured data ([dicomtrail@32473 id="..."]), the same bytes every time, so the repository (or a
 * reader of its store) drops the second copy; the order of first copies is the order of the events.
 */
import tls from 'node:tls';
import type { Logger } from '@dicomtrail/runtime';
import type { AuditMessage } from '../audit-message.js';
import { Backoff, type Destination, RoomGate } from '../destination.js';
import { octetCountingFrame, type SyslogHeader, syslogMessage } from './rfc5424.js';

export interface SyslogTlsOptions {
  host: string;
  port: number;
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  header: SyslogHeader;
  confirmMs: number;
  maxPending: number;
  log: Logger;
}

interface Entry {
  /** undefined: a marker that only carries `done` (an empty batch). */
  frame?: Buffer;
  done?: () => void;
  flushedAt?: number;
  epoch?: number;
}

export class SyslogTlsDestination implements Destination {
  readonly name = 'syslog-tls';
  #entries: Entry[] = [];
  #head = 0;
  /** Index of the next entry to write on the current connection. */
  #next = 0;
  #socket: tls.TLSSocket | undefined;
  #epoch = 0;
  #connecting = false;
  #closed = false;
  #writing = false;
  #reconnectTimer: NodeJS.Timeout | undefined;
  readonly #timer: NodeJS.Timeout;
  readonly #backoff = new Backoff(200, 5000);
  readonly #gate: RoomGate;
  readonly #counts = { delivered: 0, written: 0, rewritten: 0, connects: 0, failures: 0 };

  constructor(private readonly o: SyslogTlsOptions) {
    this.#gate = new RoomGate(o.maxPending, () => this.pending);
    this.#timer = setInterval(() => this.#confirm(), Math.max(10, Math.floor(o.confirmMs / 4)));
    this.#timer.unref();
  }

  get pending(): number {
    return this.#entries.length - this.#head;
  }

  room(): Promise<void> {
    return this.#gate.room();
  }

  stats(): Record<string, number> {
    return { ...this.#counts, pending: this.pending };
  }

  deliver(messages: readonly AuditMessage[], done: () => void): void {
    if (messages.length === 0) {
      this.#entries.push({ done });
    } else {
      messages.forEach((m, i) => {
        const frame = octetCountingFrame(syslogMessage(m, this.o.header));
        this.#entries.push(i === messages.length - 1 ? { frame, done } : { frame });
      });
    }
    this.#pump();
  }

  #connect(): void {
    if (this.#connecting || this.#socket || this.#closed) return;
    this.#connecting = true;
    const socket = tls.connect({
      host: this.o.host,
      port: this.o.port,
      ca: this.o.ca,
      ...(this.o.cert ? { cert: this.o.cert } : {}),
      ...(this.o.key ? { key: this.o.key } : {}),
      servername: this.o.servername ?? this.o.host,
      minVersion: 'TLSv1.2',
    });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 10_000);
    const epoch = ++this.#epoch;
    let failed = false;
    const fail = (why: string, err?: Error): void => {
      if (failed) return;
      failed = true;
      socket.destroy();
      this.#connecting = false;
      if (this.#socket === socket) this.#socket = undefined;
      if (epoch === this.#epoch) this.#epoch++; // frames flushed on this connection are no longer counted
      // Everything not yet counted is written again on the next connection, in order.
      for (let i = this.#head; i < this.#entries.length; i++) {
        const e = this.#entries[i] as Entry;
        if (e.flushedAt !== undefined) this.#counts.rewritten++;
        e.flushedAt = undefined;
        e.epoch = undefined;
      }
      this.#next = this.#head;
      this.#counts.failures++;
      if (this.#closed) return;
      const delay = this.#backoff.next();
      this.o.log.warn(
        {
          host: this.o.host,
          port: this.o.port,
          why,
          err: err?.message,
          pending: this.pending,
          retry_ms: delay,
        },
        'syslog receiver unavailable; unconfirmed messages are kept and sent again',
      );
      this.#reconnectTimer = setTimeout(() => {
        this.#reconnectTimer = undefined;
        this.#pump();
      }, delay);
      this.#reconnectTimer.unref();
    };
    socket.once('secureConnect', () => {
      this.#connecting = false;
      this.#socket = socket;
      this.#counts.connects++;
      this.#backoff.reset();
      this.o.log.info(
        { host: this.o.host, port: this.o.port, protocol: socket.getProtocol() },
        'syslog TLS connected',
      );
      this.#pump();
    });
    socket.on('error', (err) => fail('error', err));
    socket.on('end', () => fail('end'));
    socket.on('close', () => fail('close'));
    socket.on('data', () => {}); // a syslog receiver sends nothing; read and ignore
  }

  #pump(): void {
    if (this.#closed) return;
    if (!this.#socket) {
      if (this.pending > 0 && !this.#reconnectTimer) this.#connect();
      return;
    }
    if (this.#writing) return;
    this.#writing = true;
    const socket = this.#socket;
    const epoch = this.#epoch;
    while (this.#next < this.#entries.length && this.#socket === socket) {
      const e = this.#entries[this.#next++] as Entry;
      if (!e.frame) {
        e.flushedAt = Date.now();
        e.epoch = epoch;
        continue;
      }
      this.#counts.written++;
      const ok = socket.write(e.frame, (err) => {
        if (!err && epoch === this.#epoch) {
          e.flushedAt = Date.now();
          e.epoch = epoch;
        }
      });
      if (!ok) {
        socket.once('drain', () => {
          this.#writing = false;
          this.#pump();
        });
        return;
      }
    }
    this.#writing = false;
  }

  /** Counts as delivered what was flushed on the live connection at least confirmMs ago; calls the batches' `done`. */
  #confirm(): void {
    if (!this.#socket) return;
    const cutoff = Date.now() - this.o.confirmMs;
    let moved = false;
    while (this.#head < this.#entries.length) {
      const e = this.#entries[this.#head] as Entry;
      if (e.flushedAt === undefined || e.epoch !== this.#epoch || e.flushedAt > cutoff) break;
      this.#head++;
      if (e.frame) this.#counts.delivered++;
      moved = true;
      e.done?.();
    }
    if (!moved) return;
    if (this.#head > 4096 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#next -= this.#head;
      this.#head = 0;
    }
    this.#gate.check();
  }

  async close(): Promise<void> {
    // Give what was written its confirmation window before the connection goes.
    const until = Date.now() + this.o.confirmMs + 200;
    while (this.pending > 0 && this.#socket && this.#next >= this.#entries.length && Date.now() < until)
      await new Promise((r) => setTimeout(r, 20));
    this.#confirm();
    this.#closed = true;
    clearInterval(this.#timer);
    if (this.#reconnectTimer) clearTimeout(this.#reconnectTimer);
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.end(() => resolve()));
  }
}
