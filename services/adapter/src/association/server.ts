/**
 * The acceptor side: a TCP listener that makes one Association per connection. Handlers bound on the
 * server are copied into each new association (pynetdicom's AssociationServer.bind). `close()` stops
 * listening, lets associations finish within a grace period, then aborts the rest.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import type { AcceptorPolicy } from '../acse/acceptor.js';
import { HandlerRegistry } from '../events/event-bus.js';
import { createDispatcher, type ServiceTable } from '../service-classes/dispatch.js';
import { Association, type AssociationOptions } from './association.js';
import type { DimseServiceOptions } from './dimse-service.js';
import type { AdapterEvent, EventSink } from './types.js';

export interface DicomServerOptions {
  host: string;
  port: number;
  policy: AcceptorPolicy;
  storeDir: string;
  sinks: EventSink[];
  log: Logger;
  artimTimeoutMs?: number;
  bulkDataThreshold?: number;
  maxAssociations?: number;
  services?: ServiceTable;
  /**
   * Replaces local negotiation and service: the audit proxy (proxy/proxy-server.ts) decides each
   * association with its upstream and relays every request there.
   */
  intermediary?: Pick<AssociationOptions, 'negotiate' | 'beforeReleaseResponse'> &
    Pick<DimseServiceOptions, 'serve' | 'onCancel'>;
}

export class DicomServer {
  readonly handlers = new HandlerRegistry<AdapterEvent>();
  readonly associations = new Set<Association>();
  readonly #opts: DicomServerOptions;
  readonly #server: Server;
  #serve;

  constructor(opts: DicomServerOptions) {
    this.#opts = opts;
    this.#serve = createDispatcher({ storeDir: opts.storeDir }, opts.services);
    this.#server = createServer((socket) => this.#onConnection(socket));
  }

  listen(): Promise<{ address: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#opts.port, this.#opts.host, () => {
        const a = this.#server.address();
        resolve(
          typeof a === 'object' && a
            ? { address: a.address, port: a.port }
            : { address: this.#opts.host, port: this.#opts.port },
        );
      });
    });
  }

  get port(): number {
    const a = this.#server.address();
    return typeof a === 'object' && a ? a.port : this.#opts.port;
  }

  #onConnection(socket: Socket): void {
    const max = this.#opts.maxAssociations ?? 64;
    const policy: AcceptorPolicy = {
      ...this.#opts.policy,
      admission: (a) => {
        if (this.associations.size > max) return { ok: false, detail: `more than ${max} associations` };
        return this.#opts.policy.admission?.(a) ?? { ok: true };
      },
    };
    const assoc = new Association({
      role: 'acceptor',
      socket,
      handlers: this.handlers.clone(),
      sinks: this.#opts.sinks,
      log: this.#opts.log,
      policy,
      ...(this.#opts.intermediary?.negotiate ? { negotiate: this.#opts.intermediary.negotiate } : {}),
      ...(this.#opts.intermediary?.beforeReleaseResponse
        ? { beforeReleaseResponse: this.#opts.intermediary.beforeReleaseResponse }
        : {}),
      maxPduReceive: this.#opts.policy.maxPduReceive,
      artimTimeoutMs: this.#opts.artimTimeoutMs ?? 30_000,
      services: {
        storeDir: this.#opts.storeDir,
        bulkDataThreshold: this.#opts.bulkDataThreshold ?? 1024,
        implementationClassUid: this.#opts.policy.implementationClassUid,
        implementationVersionName: this.#opts.policy.implementationVersionName,
        serve: this.#opts.intermediary?.serve ?? this.#serve,
        ...(this.#opts.intermediary?.onCancel ? { onCancel: this.#opts.intermediary.onCancel } : {}),
      },
    });
    this.associations.add(assoc);
    assoc.closed().then(() => this.associations.delete(assoc));
    assoc.start();
  }

  /** Stops listening; waits up to `graceMs` for associations to end, then aborts them. */
  async close(graceMs = 10_000): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    const all = Promise.all([...this.associations].map((a) => a.closed()));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const a of this.associations) a.abort();
      await Promise.race([all, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    await stopped;
  }
}
