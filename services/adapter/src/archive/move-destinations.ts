/**
 * The C-MOVE destination table (PS3.4 §C.4.2.2.1: the SCP resolves the Move Destination AE title to an
 * address from its own configuration), from ARCHIVE_MOVE_DESTINATIONS entries `AE=host:port`. The same
 * table tells where a storage commitment report goes when the requestor's association has closed.
 */
import { DicomtrailError } from '@dicomtrail/runtime';

export interface RemoteAe {
  host: string;
  port: number;
}

export type MoveDestinations = ReadonlyMap<string, RemoteAe>;

const ENTRY = /^([^=\\]{1,16})=(.+):(\d{1,5})$/;

/** Parses `AE=host:port` entries; throws DT_ERR_CONFIG_MOVE_DESTINATION naming every bad entry. */
export function parseMoveDestinations(entries: readonly string[]): MoveDestinations {
  const out = new Map<string, RemoteAe>();
  const bad: string[] = [];
  for (const raw of entries) {
    const m = ENTRY.exec(raw.trim());
    const port = Number(m?.[3]);
    if (!m || port < 1 || port > 65535) {
      bad.push(raw);
      continue;
    }
    out.set(m[1]!.trim(), { host: m[2]!.replace(/^\[(.*)\]$/, '$1'), port });
  }
  if (bad.length > 0)
    throw new DicomtrailError(
      'DT_ERR_CONFIG_MOVE_DESTINATION',
      `ARCHIVE_MOVE_DESTINATIONS entries must be AE=host:port: ${bad.join(', ')}`,
      { bad },
    );
  return out;
}
