/**
 * The C-MOVE destination table (PS3.4 §C.4.2.2.1: the SCP resolves the Move Destination AE title to an
 * address from its own configuration), from ARCHIVE_MOVE_DESTINATIONS entries `AE=host:port`. The same
 * table tells where a storage commitment report goes when the requestor's association has closed.
 */
import { DicomtrailError } from '@dicomtrail/runtime';
import { type OutboundTls, splitTlsAddress } from '../tls/outbound-tls.js';

export interface RemoteAe {
  host: string;
  port: number;
  /** `AE=tls://host:port[?ca=...]`: reached over DICOM TLS (tls/outbound-tls.ts). */
  tls?: OutboundTls;
}

export type MoveDestinations = ReadonlyMap<string, RemoteAe>;

const ENTRY = /^([^=\\]{1,16})=(.+):(\d{1,5})$/;

/** `AE=rest` with a `tls://` rest taken apart; undefined when its TLS parameters are bad. */
function entry(raw: string, bad: string[]): { text: string; tls?: OutboundTls } | undefined {
  const t = raw.trim();
  const eq = t.indexOf('=');
  if (eq <= 0) return { text: t };
  try {
    const { address, tls } = splitTlsAddress(t.slice(eq + 1), raw);
    return { text: `${t.slice(0, eq)}=${address}`, ...(tls ? { tls } : {}) };
  } catch (err) {
    bad.push(`${raw} (${(err as Error).message})`);
    return undefined;
  }
}

/** Parses `AE=[tls://]host:port[?...]` entries; throws DT_ERR_CONFIG_MOVE_DESTINATION naming every bad entry. */
export function parseMoveDestinations(entries: readonly string[]): MoveDestinations {
  const out = new Map<string, RemoteAe>();
  const bad: string[] = [];
  for (const raw of entries) {
    const e = entry(raw, bad);
    if (!e) continue;
    const m = ENTRY.exec(e.text);
    const port = Number(m?.[3]);
    if (!m || port < 1 || port > 65535) {
      bad.push(raw);
      continue;
    }
    out.set(m[1]!.trim(), {
      host: m[2]!.replace(/^\[(.*)\]$/, '$1'),
      port,
      ...(e.tls ? { tls: e.tls } : {}),
    });
  }
  if (bad.length > 0)
    throw new DicomtrailError(
      'DT_ERR_CONFIG_MOVE_DESTINATION',
      `ARCHIVE_MOVE_DESTINATIONS entries must be AE=host:port or AE=tls://host:port: ${bad.join(', ')}`,
      { bad },
    );
  return out;
}
