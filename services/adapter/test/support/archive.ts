/**
 * An archive node for tests: our SCP with the archive's default handler set (archive/archive.ts) on a free
 * loopback port, and test instances with the attributes the query models need.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort } from '@dicomtrail/testing';
import { Archive, type ArchiveOptions, archiveAbstractSyntaxes } from '../../src/archive/archive.js';
import type { DicomClient } from '../../src/association/client.js';
import type { EventSink } from '../../src/association/types.js';
import type { DicomJson } from '../../src/dataset/dicom-json.js';
import { encodeDataset } from '../../src/dataset/encode-dataset.js';
import { encodePart10Header } from '../../src/dataset/part10.js';
import { SUPPORTED_TRANSFER_SYNTAXES } from '../../src/service-classes/transfer-syntaxes.js';
import type { TlsGate } from '../../src/tls/tls-gate.js';
import { startTestServer, type TestServer, testLog, testPolicy } from './server.js';

export const EXPLICIT_LE = '1.2.840.10008.1.2.1';
export const SC = '1.2.840.10008.5.1.4.1.1.7';
export const CT = '1.2.840.10008.5.1.4.1.1.2';

export interface ArchiveServer extends TestServer {
  archive: Archive;
}

export async function startArchiveServer(
  opts: Partial<Omit<ArchiveOptions, 'log' | 'aeTitle'>> & {
    storeDir?: string;
    sinks?: EventSink[];
    /** DICOM TLS on the archive's listener. */
    tlsGate?: TlsGate;
  } = {},
): Promise<ArchiveServer> {
  const s = await startTestServer({
    ...(opts.storeDir ? { storeDir: opts.storeDir } : {}),
    ...(opts.sinks ? { sinks: opts.sinks } : {}),
    ...(opts.tlsGate ? { tlsGate: opts.tlsGate } : {}),
    policy: {
      ...testPolicy(),
      supported: {
        abstractSyntaxes: new Set(archiveAbstractSyntaxes(opts.worklistDir !== undefined)),
        transferSyntaxes: SUPPORTED_TRANSFER_SYNTAXES,
      },
    },
  });
  const archive = new Archive({
    storeDir: opts.storeDir ?? s.storeDir,
    aeTitle: 'DICOMTRAIL',
    destinations: opts.destinations ?? new Map(),
    log: testLog,
    ...(opts.worklistDir ? { worklistDir: opts.worklistDir } : {}),
    ...(opts.maxBytes !== undefined ? { maxBytes: opts.maxBytes } : {}),
    ...(opts.maxMppsSteps !== undefined ? { maxMppsSteps: opts.maxMppsSteps } : {}),
    ...(opts.commitmentReportDelayMs !== undefined
      ? { commitmentReportDelayMs: opts.commitmentReportDelayMs }
      : {}),
  });
  archive.bind(s.server.handlers);
  const close = s.close;
  return Object.assign(s, {
    archive,
    async close() {
      await close();
      archive.close();
    },
  });
}

export interface ArchiveInstanceSpec {
  patientId: string;
  patientName: string;
  studyUid: string;
  studyDate: string;
  studyTime: string;
  accession: string;
  seriesUid: string;
  modality: string;
  sopInstanceUid: string;
  sopClassUid?: string;
  instanceNumber?: number;
}

/** A small Part 10 instance (64 bytes of pixel data) with patient/study/series/instance attributes. */
export function archiveInstance(spec: ArchiveInstanceSpec): Buffer {
  const sopClassUid = spec.sopClassUid ?? SC;
  const json: DicomJson = {
    '00080016': { vr: 'UI', Value: [sopClassUid] },
    '00080018': { vr: 'UI', Value: [spec.sopInstanceUid] },
    '00080020': { vr: 'DA', Value: [spec.studyDate] },
    '00080030': { vr: 'TM', Value: [spec.studyTime] },
    '00080050': { vr: 'SH', Value: [spec.accession] },
    '00080060': { vr: 'CS', Value: [spec.modality] },
    '00100010': { vr: 'PN', Value: [{ Alphabetic: spec.patientName }] },
    '00100020': { vr: 'LO', Value: [spec.patientId] },
    '0020000D': { vr: 'UI', Value: [spec.studyUid] },
    '0020000E': { vr: 'UI', Value: [spec.seriesUid] },
    '00200013': { vr: 'IS', Value: [spec.instanceNumber ?? 1] },
    '00280002': { vr: 'US', Value: [1] },
    '00280004': { vr: 'CS', Value: ['MONOCHROME2'] },
    '00280010': { vr: 'US', Value: [4] },
    '00280011': { vr: 'US', Value: [8] },
    '00280100': { vr: 'US', Value: [16] },
    '00280101': { vr: 'US', Value: [16] },
    '00280102': { vr: 'US', Value: [15] },
    '00280103': { vr: 'US', Value: [0] },
    '7FE00010': { vr: 'OW', InlineBinary: Buffer.alloc(64, 7).toString('base64') },
  };
  const meta = encodePart10Header({
    mediaStorageSopClassUid: sopClassUid,
    mediaStorageSopInstanceUid: spec.sopInstanceUid,
    transferSyntaxUid: EXPLICIT_LE,
    implementationClassUid: '1.2.826.0.1.3680043.10.1386.1.0',
    implementationVersionName: 'DT_TEST',
  });
  return Buffer.concat([meta, encodeDataset(json, EXPLICIT_LE)]);
}

export function writeArchiveInstance(file: string, spec: ArchiveInstanceSpec): void {
  writeFileSync(file, archiveInstance(spec));
}

/**
 * Stores one small SC instance per SOP instance UID of `sops` through `client` (one study and series under
 * `uidRoot`, files written in `dir`): the instances a storage commitment request then names.
 */
export async function storeCommitmentInstances(
  client: DicomClient,
  dir: string,
  uidRoot: string,
  sops: readonly string[],
): Promise<void> {
  for (const [i, sop] of sops.entries()) {
    const f = path.join(dir, `sc${i}.dcm`);
    writeArchiveInstance(f, {
      patientId: 'PID-SC',
      patientName: 'Commit^Me',
      studyUid: `${uidRoot}.10`,
      studyDate: '20240101',
      studyTime: '100000',
      accession: 'SC1',
      seriesUid: `${uidRoot}.20`,
      modality: 'OT',
      sopInstanceUid: sop,
    });
    const status = await client.storeFile(f);
    if (status !== 0) throw new Error(`C-STORE of ${sop}: status 0x${status.toString(16)}`);
  }
}

/** DCMTK's storescp (a C-MOVE destination) as `aeTitle`, writing into `dir`, listening on a free port. */
export async function startStorescp(
  aeTitle: string,
  dir: string,
  /** More storescp options (e.g. `+tls key cert +cf ca`). */
  extra: string[] = [],
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn('storescp', ['-aet', aeTitle, '-od', dir, ...extra, String(port)], {
    env: { ...process.env, TCP_NODELAY: '1' },
    stdio: 'ignore',
  });
  await listening(port);
  return { port, child };
}

/** Waits until something listens on 127.0.0.1:port (a dcmtk SCP started by the test). */
export async function listening(port: number, timeoutMs = 10_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect({ host: '127.0.0.1', port });
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - t0 > timeoutMs) throw new Error(`nothing listens on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Storage Commitment request's action information: the transaction and the instances to commit. */
export function commitmentRequest(transaction: string, refs: [string, string][]): DicomJson {
  return {
    '00081195': { vr: 'UI', Value: [transaction] },
    '00081199': {
      vr: 'SQ',
      Value: refs.map(([cls, inst]) => ({
        '00081150': { vr: 'UI', Value: [cls] },
        '00081155': { vr: 'UI', Value: [inst] },
      })),
    },
  };
}
