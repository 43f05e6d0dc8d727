/**
 * The transparent audit proxy (ARCHITECTURE.md, proxy mode): modalities and viewers call dicomtrail as if it
 * were the PACS; each association is decided by the upstream SCP its called AE title routes to
 * (routes.ts) and every DIMSE message is relayed both ways (message-relay.ts). The two associations are
 * separate in the event log: the one the requestor opened (acceptor side) and the one the proxy opened
 * upstream (requestor side, `parent` = the first), each with its own events and seq, so an auditor sees who
 * called, what they asked for, and what the PACS answered.
 *
 * Decided locally, before anything goes upstream: the application context, DICOM_ALLOWED_CALLING_AE, the
 * admission checks (association limit, the event spool's fail-closed policy) and the route (none: called AE
 * title not recognised). The upstream's A-ASSOCIATE-RJ is passed back as it is; an upstream that cannot be
 * reached is a transient reject (temporary congestion) whose event names the cause. A release is passed
 * upstream before it is answered; an abort or a lost connection on either side aborts the other.
 */
import type { Logger } from '@dicomtrail/runtime';
import { acceptedContexts } from '../acse/accepted-contexts.js';
import { type AcceptorDecision, type AcceptorPolicy, policyReject } from '../acse/acceptor.js';
import { type RejectCause, Rejects } from '../acse/reject-reason.js';
import type { Association } from '../association/association.js';
import { requestAssociation } from '../association/client.js';
import { DicomServer, type DicomServerOptions } from '../association/server.js';
import type { EventSink } from '../association/types.js';
import type { AssociateRq } from '../pdu/associate-rq.js';
import type { TlsGate } from '../tls/tls-gate.js';
import { CutThroughStore } from './cut-through-store.js';
import { relayCancel, relayRequest } from './message-relay.js';
import {
  downstreamAccept,
  type MaxPduOffer,
  type ProxyIdentity,
  upstreamRequest,
} from './negotiation-relay.js';
import { endOf } from './paired-ending.js';
import { recordRelayedNegotiation } from './relayed-negotiation-events.js';
import { describeRoute, type ProxyRoutes, routeFor } from './routes.js';

export interface AuditProxyOptions {
  host: string;
  port: number;
  routes: ProxyRoutes;
  /**
   * Where a relayed C-STORE data set is held while it is passed on (deleted after) when it cannot be passed on
   * as it arrives: C-GET's sub-operations, or a C-STORE sent while another operation is in progress.
   */
  storeDir: string;
  sinks: EventSink[];
  log: Logger;
  /** The local checks (allowed calling AE titles, admission) and our PDU size and implementation identity. */
  policy: AcceptorPolicy;
  artimTimeoutMs?: number;
  bulkDataThreshold?: number;
  maxAssociations?: number;
  /** The limits of the modalities' side (server.ts): per address, idle, pending requests, write timeout, size. */
  limits?: Pick<
    DicomServerOptions,
    | 'maxAssociationsPerAddress'
    | 'idleTimeoutMs'
    | 'maxPendingRequests'
    | 'writeTimeoutMs'
    | 'maxInstanceBytes'
  >;
  /** How long the upstream may take to accept the TCP connection (ms). */
  connectTimeoutMs?: number;
  /** DICOM TLS on the modalities' side (the upstream's is per route). */
  tlsGate?: TlsGate;
  /**
   * The Maximum Length Received offered each side (negotiation-relay.ts): 'peer' (default), the other side's
   * own, bounded by `policy.maxPduReceive`; 'own', `policy.maxPduReceive` on both sides.
   */
  maxPduOffer?: MaxPduOffer;
}

function reject(cause: RejectCause, detail: string): AcceptorDecision {
  return { kind: 'reject', rj: { type: 'A-ASSOCIATE-RJ', ...cause }, detail };
}

export class AuditProxy {
  readonly server: DicomServer;
  readonly #opts: AuditProxyOptions;
  readonly #upstreamOf = new WeakMap<Association, Association>();

  constructor(opts: AuditProxyOptions) {
    this.#opts = opts;
    this.server = new DicomServer({
      host: opts.host,
      port: opts.port,
      storeDir: opts.storeDir,
      sinks: opts.sinks,
      log: opts.log,
      policy: opts.policy,
      ...(opts.artimTimeoutMs !== undefined ? { artimTimeoutMs: opts.artimTimeoutMs } : {}),
      ...(opts.bulkDataThreshold !== undefined ? { bulkDataThreshold: opts.bulkDataThreshold } : {}),
      ...(opts.maxAssociations !== undefined ? { maxAssociations: opts.maxAssociations } : {}),
      ...opts.limits,
      ...(opts.tlsGate ? { tlsGate: opts.tlsGate } : {}),
      intermediary: {
        negotiate: (down, rq, policy) => this.#negotiate(down, rq, policy),
        serve: async (down, msg) => {
          const up = this.#upstreamOf.get(down);
          if (up) await relayRequest(down, up, msg, this.#bulkDataThreshold);
          else down.abort();
        },
        passOn: (down, context, command) => {
          const up = this.#upstreamOf.get(down);
          return up
            ? CutThroughStore.open(down, up, context, command, {
                bulkDataThreshold: this.#bulkDataThreshold,
                ...(opts.limits?.maxInstanceBytes !== undefined
                  ? { maxInstanceBytes: opts.limits.maxInstanceBytes }
                  : {}),
              })
            : undefined;
        },
        onCancel: (down, msg) => {
          const up = this.#upstreamOf.get(down);
          if (up) relayCancel(up, msg);
        },
        beforeReleaseResponse: async (down) => {
          const up = this.#upstreamOf.get(down);
          if (up?.isEstablished) await up.release();
        },
      },
    });
  }

  listen(): Promise<{ address: string; port: number }> {
    return this.server.listen();
  }

  get port(): number {
    return this.server.port;
  }

  /** The upstream association paired with an accepted downstream one. */
  upstreamOf(down: Association): Association | undefined {
    return this.#upstreamOf.get(down);
  }

  close(graceMs?: number): Promise<void> {
    return this.server.close(graceMs);
  }

  get #bulkDataThreshold(): number {
    return this.#opts.bulkDataThreshold ?? 1024;
  }

  get #own(): ProxyIdentity {
    const p = this.#opts.policy;
    return {
      maxPduReceive: p.maxPduReceive,
      offer: this.#opts.maxPduOffer ?? 'peer',
      implementationClassUid: p.implementationClassUid,
      implementationVersionName: p.implementationVersionName,
    };
  }

  async #negotiate(down: Association, rq: AssociateRq, policy: AcceptorPolicy): Promise<AcceptorDecision> {
    const refused = policyReject(down, rq, policy, {
      checkCalledAeTitle: false,
      identityRejected: false,
      identityMissing: rq.userInformation.userIdentity === undefined,
    });
    if (refused) {
      recordRelayedNegotiation(down, rq, undefined);
      return refused;
    }
    const route = routeFor(this.#opts.routes, rq.calledAeTitle);
    if (!route) {
      recordRelayedNegotiation(down, rq, undefined);
      return reject(Rejects.calledAeTitle, `no proxy route for called AE title "${rq.calledAeTitle}"`);
    }

    const where = describeRoute(route);
    const {
      association: up,
      answer,
      connectError,
    } = await requestAssociation({
      host: route.host,
      port: route.port,
      ...(route.tls ? { tls: route.tls } : {}),
      rq: upstreamRequest(rq, route, this.#own),
      sinks: this.#opts.sinks,
      log: this.#opts.log,
      parent: { association_id: down.id },
      storeDir: this.#opts.storeDir,
      ...(this.#opts.bulkDataThreshold !== undefined
        ? { bulkDataThreshold: this.#opts.bulkDataThreshold }
        : {}),
      ...(this.#opts.artimTimeoutMs !== undefined ? { artimTimeoutMs: this.#opts.artimTimeoutMs } : {}),
      connectTimeoutMs: this.#opts.connectTimeoutMs ?? 10_000,
      serve: (upstream, msg) => relayRequest(upstream, down, msg, this.#bulkDataThreshold),
      onCancel: (_upstream, msg) => relayCancel(down, msg),
    });
    // The upstream's own AC or RJ; a reject made up locally (unreachable, no answer) is not the upstream's word.
    const upstreamAnswered =
      answer.type === 'A-ASSOCIATE-AC' ||
      (up.outcome?.kind === 'rejected' && up.outcome.initiator === 'remote');
    recordRelayedNegotiation(down, rq, upstreamAnswered ? answer : undefined);
    if (answer.type === 'A-ASSOCIATE-AC') {
      this.#pair(down, up, where);
      return {
        kind: 'accept',
        ac: downstreamAccept(rq, answer, this.#own),
        contexts: acceptedContexts(rq, answer),
      };
    }
    if (up.outcome?.kind === 'rejected' && up.outcome.initiator === 'remote')
      return {
        kind: 'reject',
        rj: answer,
        detail: `upstream ${where} rejected the association`,
      };
    const why = connectError
      ? `unreachable: ${connectError.message}`
      : 'closed the connection without answering';
    down.log.warn({ upstream: where, why }, 'proxy: upstream did not answer; rejecting (transient)');
    return reject(Rejects.congestion, `upstream ${where} ${why}`);
  }

  #pair(down: Association, up: Association, where: string): void {
    this.#upstreamOf.set(down, up);
    up.closed().then((outcome) => {
      // Our own release of the upstream (the downstream asked for it) is answered downstream next.
      const releasedByUs = outcome.kind === 'released' && outcome.initiator === 'local';
      if (!down.outcome && !releasedByUs) {
        down.log.warn(
          { upstream: where, outcome: outcome.kind },
          'proxy: upstream association ended; aborting',
        );
        down.abort(`upstream ${where}: ${endOf(outcome)}`);
      }
    });
    down.closed().then(() => {
      if (!up.outcome) up.abort();
    });
  }
}
