/**
 * The acceptor side: a TCP listener that makes one Association per connection. Handlers bound on the
 * server are copied into each new association (pynetdicom's AssociationServer.bind). `close()` stops
 * listening, lets associations finish within a grace period, then aborts the rest.
 *
 * Limits: only associations whose A-ASSOCIATE-RQ arrived and that are not over count against
 * `maxAssociations` and, per remote address, `maxAssociationsPerAddress` (both: A-ASSOCIATE-RJ transient,
 * local limit exceeded). A connection that never sends its A-ASSOCIATE-RQ counts against neither and is
 * closed when the ARTIM timer expires (PS3.8 §9.1.5); an established association with no traffic for
 * `idleTimeoutMs` is aborted.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import type { AcceptorPolicy } from '../acse/acceptor.js';
import { HandlerRegistry } from '../events/event-bus.js';
import { createDispatcher, type ServiceTable } from '../service-classes/dispatch.js';
import { Association, type AssociationOptions } from './association.js';
import { associate } from './client.js';
import type { DimseServiceOptions } from './dimse-service.js';
import { sweepIncoming } from './store-receiver.js';
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
  /** Associations from one remote address at most (default: `maxAssociations`). */
  maxAssociationsPerAddress?: number;
  /** Established and no traffic for this long: aborted (0 or unset: never). */
  idleTimeoutMs?: number;
  /** See DimseServiceOptions. */
  maxInstanceBytes?: number;
  maxPendingRequests?: number;
  writeTimeoutMs?: number;
  services?: ServiceTable;
  /**
   * Replaces local negotiation and service: the audit proxy (proxy/proxy-server.ts) decides each
   * association with its upstream and relays every request there.
   */
  intermediary?: Pick<AssociationOptions, 'negotiate' | 'beforeReleaseResponse'> &
    Pick<DimseServiceOptions<Association>, 'serve' | 'onCancel'>;
}

export class DicomServer {
  readonly handlers = new HandlerRegistry<AdapterEvent>();
  readonly associations = new Set<Association>();
  readonly #opts: DicomServerOptions;
  readonly #server: Server;
  #serve;

  constructor(opts: DicomServerOptions) {
    this.#opts = opts;
    this.#serve = createDispatcher({ storeDir: opts.storeDir, associate }, opts.services);
    this.#server = createServer((socket) => this.#onConnection(socket));
  }

  /** Listens; first removes what interrupted C-STOREs of a previous run left in `<store>/.incoming`. */
  listen(): Promise<{ address: string; port: number }> {
    const swept = sweepIncoming(this.#opts.storeDir);
    if (swept > 0) this.#opts.log.info({ removed: swept }, 'removed unfinished C-STORE files');
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

  /** Associations admitted and not over, besides `self` (those that sent an A-ASSOCIATE-RQ). */
  #admitted(self: object): Association[] {
    const out: Association[] = [];
    for (const a of this.associations) if (a !== self && a.rq !== undefined && !a.outcome) out.push(a);
    return out;
  }

  #onConnection(socket: Socket): void {
    const max = this.#opts.maxAssociations ?? 64;
    const perAddress = this.#opts.maxAssociationsPerAddress ?? max;
    const address = socket.remoteAddress ?? '';
    const policy: AcceptorPolicy = {
      ...this.#opts.policy,
      admission: (a) => {
        const others = this.#admitted(a);
        if (others.length >= max) return { ok: false, detail: `more than ${max} associations` };
        const same = others.filter((o) => o.remoteAddress === address).length;
        if (same >= perAddress)
          return { ok: false, detail: `more than ${perAddress} associations from ${address}` };
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
      ...(this.#opts.idleTimeoutMs ? { idleTimeoutMs: this.#opts.idleTimeoutMs } : {}),
      services: {
        storeDir: this.#opts.storeDir,
        bulkDataThreshold: this.#opts.bulkDataThreshold ?? 1024,
        implementationClassUid: this.#opts.policy.implementationClassUid,
        implementationVersionName: this.#opts.policy.implementationVersionName,
        serve: this.#opts.intermediary?.serve ?? this.#serve,
        ...(this.#opts.intermediary?.onCancel ? { onCancel: this.#opts.intermediary.onCancel } : {}),
        ...(this.#opts.maxInstanceBytes !== undefined
          ? { maxInstanceBytes: this.#opts.maxInstanceBytes }
          : {}),
        ...(this.#opts.maxPendingRequests !== undefined
          ? { maxPendingRequests: this.#opts.maxPendingRequests }
          : {}),
        ...(this.#opts.writeTimeoutMs !== undefined ? { writeTimeoutMs: this.#opts.writeTimeoutMs } : {}),
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
