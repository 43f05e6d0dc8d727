/**
 * Where the audit proxy sends an association: a route per called AE title (`PROXY_ROUTES`,
 * `CALLED=UPSTREAM_AE@host:port`, comma-separated) and a default (`PROXY_UPSTREAM`, `UPSTREAM_AE@host:port`
 * or `host:port`). Without an upstream AE title the called AE title passes through unchanged, so the PACS
 * sees exactly what the modality asked for; with one it is rewritten (a PACS behind a new address and title).
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import { describeOutboundTls, type OutboundTls, splitTlsAddress } from '../tls/outbound-tls.js';

export interface UpstreamRoute {
  /** The called AE title to use upstream; undefined: the one the requestor called. */
  aeTitle?: string;
  host: string;
  port: number;
  /** `tls://...`: the upstream leg speaks DICOM TLS (tls/outbound-tls.ts). */
  tls?: OutboundTls;
}

export interface ProxyRoutes {
  byCalledAe: ReadonlyMap<string, UpstreamRoute>;
  fallback?: UpstreamRoute;
}

const AE_TITLE = /^[^\\]{1,16}$/;

function routeError(spec: string, why: string): DicomtrailError {
  return new DicomtrailError('DT_ERR_PROXY_ROUTE', `proxy route "${spec}": ${why}`, { spec });
}

/** `AE@host:port`, `host:port` or `AE@[v6]:port`, each optionally `tls://...[?ca=...]`. */
export function parseUpstream(text: string, label = text): UpstreamRoute {
  let split: ReturnType<typeof splitTlsAddress>;
  try {
    split = splitTlsAddress(text, label);
  } catch (err) {
    throw routeError(label, (err as Error).message);
  }
  const spec = split.address;
  const at = spec.lastIndexOf('@');
  const aeTitle = at >= 0 ? spec.slice(0, at).trim() : undefined;
  const address = (at >= 0 ? spec.slice(at + 1) : spec).trim();
  if (aeTitle !== undefined && !AE_TITLE.test(aeTitle))
    throw routeError(label, 'AE title must be 1-16 characters');
  const colon = address.lastIndexOf(':');
  if (colon <= 0) throw routeError(label, 'expected host:port');
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw routeError(label, 'port must be 1-65535');
  if (host.length === 0) throw routeError(label, 'empty host');
  return {
    ...(aeTitle !== undefined ? { aeTitle } : {}),
    host,
    port,
    ...(split.tls ? { tls: split.tls } : {}),
  };
}

export function parseProxyRoutes(fallback: string | undefined, routes: readonly string[]): ProxyRoutes {
  const byCalledAe = new Map<string, UpstreamRoute>();
  for (const r of routes) {
    const eq = r.indexOf('=');
    if (eq <= 0) throw routeError(r, 'expected CALLED_AE=UPSTREAM_AE@host:port');
    const called = r.slice(0, eq).trim();
    if (!AE_TITLE.test(called)) throw routeError(r, 'called AE title must be 1-16 characters');
    if (byCalledAe.has(called)) throw routeError(r, `a second route for called AE title ${called}`);
    byCalledAe.set(called, parseUpstream(r.slice(eq + 1), r));
  }
  return { byCalledAe, ...(fallback ? { fallback: parseUpstream(fallback) } : {}) };
}

/** The route of a called AE title (the named route, else the default), or undefined: reject (reason 7). */
export function routeFor(routes: ProxyRoutes, calledAeTitle: string): UpstreamRoute | undefined {
  return routes.byCalledAe.get(calledAeTitle.trim()) ?? routes.fallback;
}

export function describeRoute(r: UpstreamRoute): string {
  const address = `${r.aeTitle ? `${r.aeTitle}@` : ''}${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port}`;
  return r.tls ? `tls://${address}${describeOutboundTls(r.tls)}` : address;
}
