/**
 * The acceptor side: a TCP listener that makes one Association per connection. Handlers bound on the
 * server are copied into each new association (pynetdicom's AssociationServer.bind). `close()` stops
 * listening, lets associations finish within a grace period, then aborts the rest.
 *
 * Limits: only associations whose A-ASSOCIATE-RQ arrived and that are not over count against
 * `maxAssociations` and, per remote address, `maxAssociationsPerAddress` (both: A-ASSOCIATE-RJ transient,
 * local limit exceeded). A connection that never sends its A-ASSOCIATE-RQ counts against neither and is
 * closed when the ARTIM timer expires (PS3.8 §9.1.5); an established association with no traffic for
 * `idleTimeoutMs` is aborted. `maxConnections` counts every open TCP connection, associated or not: past it a
 * new connection is closed at once, before any byte is read (so a flood of silent sockets costs at most that
 * many until ARTIM closes them).
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '@dicomtrail/runtime';
import { type AcceptorPolicy, negotiateAsAcceptor } from '../acse/acceptor.js';
import { HandlerRegistry } from '../events/event-bus.js';
import { createDispatcher, type ServiceTable } from '../service-classes/dispatch.js';
import { removeUnfinished } from '../service-classes/write-once.js';
import { withAeBindings } from '../tls/ae-binding-check.js';
import type { TlsGate } from '../tls/tls-gate.js';
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
  /** Open TCP connections at most, associated or not; a connection past it is closed at once (unset: no cap). */
  maxConnections?: number;
  /** See DimseServiceOptions. */
  maxInstanceBytes?: number;
  writebackBytes?: number;
  maxPendingRequests?: number;
  writeTimeoutMs?: number;
  services?: ServiceTable;
  /**
   * Replaces local negotiation and service: the audit proxy (proxy/proxy-server.ts) decides each
   * association with its upstream and relays every request there.
   */
  intermediary?: Pick<AssociationOptions, 'negotiate' | 'beforeReleaseResponse'> &
    Pick<DimseServiceOptions<Association>, 'serve' | 'onCancel' | 'passOn'>;
  /**
   * DICOM TLS on `port` (tls/tls-gate.ts): each connection is handshaken before it becomes an association, and
   * its certificate checked against the AE-title bindings; with the gate's `plainPort`, a plaintext listener too.
   */
  tlsGate?: TlsGate;
}

export class DicomServer {
  readonly handlers = new HandlerRegistry<AdapterEvent>();
  readonly associations = new Set<Association>();
  readonly #opts: DicomServerOptions;
  readonly #server: Server;
  readonly #plainServer: Server | undefined;
  #serve;
  /** Connections closed for `maxConnections` since the last warning. */
  #dropped = 0;

  constructor(opts: DicomServerOptions) {
    this.#opts = opts;
    this.#serve = createDispatcher({ storeDir: opts.storeDir, associate }, opts.services);
    const gate = opts.tlsGate;
    this.#server = createServer((socket) =>
      gate ? gate.accept(socket, (secure) => this.#onConnection(secure)) : this.#onConnection(socket),
    );
    this.#plainServer =
      gate?.tls.plainPort !== undefined ? createServer((socket) => this.#onConnection(socket)) : undefined;
    if (opts.maxConnections !== undefined) {
      for (const server of [this.#server, this.#plainServer]) {
        if (!server) continue;
        server.maxConnections = opts.maxConnections;
        server.on('drop', () => this.#onDrop());
      }
    }
  }

  /** One warning per 10 s at most, with the count, however many connections are turned away. */
  #onDrop(): void {
    if (this.#dropped++ > 0) return;
    setTimeout(() => {
      this.#opts.log.warn(
        { dropped: this.#dropped, max_connections: this.#opts.maxConnections },
        'connections closed at once: DICOM_MAX_CONNECTIONS open already',
      );
      this.#dropped = 0;
    }, 10_000).unref();
  }

  /**
   * Listens; first removes what interrupted C-STOREs of a previous run left: temporary files in
   * `<store>/.incoming`, files left unfinished under their final name (service-classes/write-once.ts).
   */
  async listen(): Promise<{ address: string; port: number }> {
    const swept = sweepIncoming(this.#opts.storeDir) + removeUnfinished(this.#opts.storeDir);
    if (swept > 0) this.#opts.log.info({ removed: swept }, 'removed unfinished C-STORE files');
    if (this.#plainServer)
      await listenOn(this.#plainServer, this.#opts.tlsGate?.tls.plainPort ?? 0, this.#opts.host);
    return listenOn(this.#server, this.#opts.port, this.#opts.host);
  }

  get port(): number {
    const a = this.#server.address();
    return typeof a === 'object' && a ? a.port : this.#opts.port;
  }

  /** The plaintext listener's port beside the TLS one (DICOM_PLAIN_PORT), if any. */
  get plainPort(): number | undefined {
    const a = this.#plainServer?.address();
    return typeof a === 'object' && a ? a.port : undefined;
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
    const bindings = this.#opts.tlsGate?.tls.bindings;
    const negotiate = bindings
      ? withAeBindings(bindings, socket, this.#opts.intermediary?.negotiate ?? negotiateAsAcceptor)
      : this.#opts.intermediary?.negotiate;
    const assoc = new Association({
      role: 'acceptor',
      socket,
      handlers: this.handlers.clone(),
      sinks: this.#opts.sinks,
      log: this.#opts.log,
      policy,
      ...(negotiate ? { negotiate } : {}),
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
        // The storage service files small instances from memory; a relay reads them from a temporary file.
        ...(this.#opts.intermediary ? {} : { holdSmall: true }),
        ...(this.#opts.intermediary?.onCancel ? { onCancel: this.#opts.intermediary.onCancel } : {}),
        ...(this.#opts.intermediary?.passOn ? { passOn: this.#opts.intermediary.passOn } : {}),
        ...(this.#opts.maxInstanceBytes !== undefined
          ? { maxInstanceBytes: this.#opts.maxInstanceBytes }
          : {}),
        ...(this.#opts.writebackBytes !== undefined ? { writebackBytes: this.#opts.writebackBytes } : {}),
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
    const stopped = Promise.all(
      [this.#server, this.#plainServer].map(
        (s) => new Promise<void>((resolve) => (s?.listening ? s.close(() => resolve()) : resolve())),
      ),
    );
    const all = Promise.all([...this.associations].map((a) => a.closed()));
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), graceMs).unref());
    if ((await Promise.race([all, timer])) === 'timeout') {
      for (const a of this.associations) a.abort();
      await Promise.race([all, new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    await stopped;
  }
}

function listenOn(server: Server, port: number, host: string): Promise<{ address: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? { address: a.address, port: a.port } : { address: host, port });
    });
  });
}
