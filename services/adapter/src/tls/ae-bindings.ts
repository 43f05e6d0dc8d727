/**
 * Which calling AE titles a client certificate may use (DICOM_TLS_AE_BINDINGS). A binding names a certificate
 * identity, its subject common name (`CN=modality-01`) or a subject alternative name (`SAN=ct01.example.org`,
 * `SAN=10.0.0.5`), and the AE titles it may call as, `|`-separated:
 *
 *     CN=modality-01:CT01|CT02; SAN=us.radiology.example:US01
 *
 * Bindings are separated by `;` or line breaks; a value starting with `/` or `./` is a file holding them (one per
 * line, `#` comments). The title `*` lets an identity call as any AE title that no other binding claims.
 *
 * With bindings configured, every association is checked when its A-ASSOCIATE-RQ arrives:
 * - a certificate may call only as the AE titles bound to its identities (CN and each SAN); a certificate bound
 *   to none is refused;
 * - a connection without a client certificate (DICOM_TLS_CLIENT_AUTH=optional, or DICOM_PLAIN_PORT) may not call
 *   as an AE title that a binding claims.
 * A refusal is an A-ASSOCIATE-RJ (permanent, calling AE title not recognized) whose EVT_REJECTED detail says which
 * identity tried which AE title.
 */
import type { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DicomtrailError } from '@dicomtrail/runtime';
import { commonNames, subjectAltNames } from './tls-facts.js';

export interface AeBinding {
  kind: 'CN' | 'SAN';
  identity: string;
  /** AE titles; '*' = any title no binding claims. */
  aeTitles: readonly string[];
}

export interface AeBindings {
  bindings: readonly AeBinding[];
  /** Every AE title some binding names (a connection without a certificate may not use these). */
  claimed: ReadonlySet<string>;
}

const AE_TITLE = /^[^\\]{1,16}$/;

function bindingError(text: string, why: string): DicomtrailError {
  return new DicomtrailError('DT_ERR_CONFIG_AE_BINDING', `DICOM_TLS_AE_BINDINGS "${text}": ${why}`, {
    binding: text,
  });
}

/** Parses the bindings text (not a file name); throws naming the first bad binding. */
export function parseAeBindings(text: string): AeBindings {
  const bindings: AeBinding[] = [];
  for (const line of text.split(/[;\n]/)) {
    const entry = line.replace(/#.*$/, '').trim();
    if (entry.length === 0) continue;
    const m = /^(CN|SAN)\s*=\s*(.+)$/i.exec(entry);
    if (!m) throw bindingError(entry, 'expected CN=NAME:AE1|AE2 or SAN=NAME:AE1|AE2');
    const rest = m[2]!;
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) throw bindingError(entry, 'expected NAME:AE1|AE2 after CN= or SAN=');
    const identity = rest.slice(0, colon).trim();
    const aeTitles = rest
      .slice(colon + 1)
      .split('|')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    if (identity.length === 0) throw bindingError(entry, 'empty certificate identity');
    if (aeTitles.length === 0) throw bindingError(entry, 'no AE title');
    for (const t of aeTitles)
      if (!AE_TITLE.test(t)) throw bindingError(entry, `AE title "${t}" must be 1-16 characters`);
    bindings.push({ kind: m[1]!.toUpperCase() as 'CN' | 'SAN', identity, aeTitles });
  }
  if (bindings.length === 0) throw bindingError(text, 'no binding');
  const claimed = new Set(bindings.flatMap((b) => b.aeTitles.filter((t) => t !== '*')));
  return { bindings, claimed };
}

/** DICOM_TLS_AE_BINDINGS: inline bindings, or a file of them when the value is a path. */
export function loadAeBindings(value: string): AeBindings {
  if (value.startsWith('/') || value.startsWith('./')) {
    let text: string;
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new DicomtrailError(
        'DT_ERR_CONFIG_AE_BINDING',
        `DICOM_TLS_AE_BINDINGS: cannot read ${value} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { file: value },
      );
    }
    return parseAeBindings(text);
  }
  return parseAeBindings(value);
}

/** The identities of a certificate a binding can name: `CN=x` for each common name, `SAN=x` for each SAN. */
export function certificateIdentities(x509: X509Certificate): string[] {
  return [
    ...commonNames(x509).map((cn) => `CN=${cn}`),
    ...subjectAltNames(x509).map((san) => `SAN=${san.slice(san.indexOf(':') + 1)}`),
  ];
}

function matches(b: AeBinding, x509: X509Certificate): boolean {
  if (b.kind === 'CN') return commonNames(x509).includes(b.identity);
  return subjectAltNames(x509).some((san) => {
    const v = san.slice(san.indexOf(':') + 1);
    return san.startsWith('DNS:') ? v.toLowerCase() === b.identity.toLowerCase() : v === b.identity;
  });
}

/**
 * Why `callingAeTitle` is refused for the peer presenting `x509` (undefined: no certificate), or undefined
 * when the bindings allow it.
 */
export function aeBindingRefusal(
  bindings: AeBindings,
  x509: X509Certificate | undefined,
  callingAeTitle: string,
): string | undefined {
  const ae = callingAeTitle.trim();
  if (!x509) {
    return bindings.claimed.has(ae)
      ? `calling AE title "${ae}" is bound to a client certificate, and this connection presented none`
      : undefined;
  }
  const own = bindings.bindings.filter((b) => matches(b, x509));
  const who = certificateIdentities(x509)[0] ?? 'a certificate without a CN or SAN';
  if (own.length === 0) return `certificate ${who} is bound to no AE title, so may not call as "${ae}"`;
  const titles = new Set(own.flatMap((b) => b.aeTitles));
  if (titles.has(ae)) return undefined;
  if (titles.has('*') && !bindings.claimed.has(ae)) return undefined;
  return `certificate ${own.map((b) => `${b.kind}=${b.identity}`).join(' / ')} may not call as AE "${ae}" (bound to ${[...titles].join('|')})`;
}
