/**
 * Why a TLS connection to a peer (Kafka broker, Postgres, trace backend) failed, in words an operator can act on:
 * the peer's certificate is not trusted, names another host, has expired; or the peer refused ours. Looks through
 * wrapped errors (`cause`, kafkajs `originalError`, aggregated `errors`). Undefined when no TLS failure is found.
 */

const UNTRUSTED = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** `text` on one line (OpenSSL's messages end with a line break). */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

export interface TlsFailure {
  /** untrusted | hostname | expired | peer-refused */
  kind: 'untrusted' | 'hostname' | 'expired' | 'peer-refused';
  /** The TLS library's own words (never secret: certificate facts and host names). */
  detail: string;
}

/** Every error in the chain of `err`, outermost first (bounded, cycles ignored). */
export function errorChain(err: unknown): Error[] {
  const out: Error[] = [];
  const seen = new Set<unknown>();
  const queue: unknown[] = [err];
  while (queue.length > 0 && out.length < 32) {
    const e = queue.shift();
    if (!(e instanceof Error) || seen.has(e)) continue;
    seen.add(e);
    out.push(e);
    const x = e as Error & { originalError?: unknown; errors?: unknown };
    queue.push(x.cause, x.originalError);
    if (Array.isArray(x.errors)) queue.push(...x.errors);
  }
  return out;
}

export function tlsFailureOf(err: unknown): TlsFailure | undefined {
  for (const e of errorChain(err)) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const msg = oneLine(e.message);
    if (UNTRUSTED.has(code) || /self[- ]signed certificate|unable to (verify|get local issuer)/i.test(msg))
      return { kind: 'untrusted', detail: msg };
    if (code === 'ERR_TLS_CERT_ALTNAME_INVALID' || /does not match certificate's altnames/i.test(msg))
      return { kind: 'hostname', detail: msg };
    if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') return { kind: 'expired', detail: msg };
    if (
      /alert (number \d+|certificate required|bad certificate|unknown ca)|tlsv1 alert|certificate required/i.test(
        msg,
      )
    )
      return { kind: 'peer-refused', detail: msg };
  }
  return undefined;
}

/**
 * One sentence for a TLS failure towards `peer`, naming the variable to check (`caVariable` for trust,
 * `certVariable` for our own certificate).
 */
export function describeTlsFailure(
  failure: TlsFailure,
  peer: string,
  vars: { caVariable: string; certVariable: string },
): string {
  switch (failure.kind) {
    case 'untrusted':
      return `${peer}: TLS certificate not trusted (${failure.detail}); is its CA in ${vars.caVariable}?`;
    case 'hostname':
      return `${peer}: TLS certificate names another host (${failure.detail}); connect by a name the certificate holds`;
    case 'expired':
      return `${peer}: TLS certificate not valid now (${failure.detail})`;
    case 'peer-refused':
      return `${peer}: the peer refused our TLS handshake (${failure.detail}); does it require a client certificate (${vars.certVariable})?`;
  }
}
