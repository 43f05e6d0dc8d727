/**
 * Real DICOM traffic for the console's tests: dcmtk peers through the adapter process (publishing to the test's
 * topic), and storescp as the C-MOVE destination.
 *  - MODALITY1 (user identity "tech01"): 3 CT instances of patient PID-CONSOLE-1 (Console^Carol) stored;
 *  - STORESCU → called AE "WRONG": rejected (called AE title not recognized);
 *  - PROPOSER: storescu proposing CT Image Storage with only a transfer syntax the node does not accept (JPEG
 *    Spectral Selection, retired): no presentation context accepted, nothing sent;
 *  - ABORTER: C-ECHO, then A-ABORT;
 *  - VIEWER: C-FIND at study level for the patient, then C-MOVE of the study to WORKSTATION (storescp), which
 *    the adapter serves over a sub-association.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { freePort, qrArgs, runDcmtk, startAdapterProcess } from '@dicomtrail/testing';

const ROOT = `1.2.826.0.1.3680043.10.1386.77.${process.pid}.${Date.now()}`;
export const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';

export const PATIENT = {
  id: 'PID-CONSOLE-1',
  name: 'Console^Carol',
  accession: 'ACC-CONSOLE-7',
  studyUid: `${ROOT}.1`,
  seriesUid: `${ROOT}.1.1`,
  instances: [1, 2, 3].map((i) => `${ROOT}.1.1.${i}`),
};

async function dcmtk(tool: string, args: string[], expectOk = true): Promise<void> {
  const r = await runDcmtk(tool, args, { timeoutMs: 30_000 });
  if (expectOk && r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

async function writeCtInstance(file: string, sopInstanceUid: string): Promise<string> {
  const dump = [
    `(0008,0016) UI [${CT_IMAGE_STORAGE}]`,
    `(0008,0018) UI [${sopInstanceUid}]`,
    `(0008,0050) SH [${PATIENT.accession}]`,
    '(0008,0060) CS [CT]',
    `(0010,0010) PN [${PATIENT.name}]`,
    `(0010,0020) LO [${PATIENT.id}]`,
    `(0020,000d) UI [${PATIENT.studyUid}]`,
    `(0020,000e) UI [${PATIENT.seriesUid}]`,
    '(0028,0002) US 1',
    '(0028,0004) CS [MONOCHROME2]',
    '(0028,0010) US 4',
    '(0028,0011) US 4',
    '(0028,0100) US 16',
    '(0028,0101) US 12',
    '(0028,0102) US 11',
    '(0028,0103) US 0',
    `(7fe0,0010) OW ${Array.from({ length: 16 }, (_, i) => i.toString(16).padStart(4, '0')).join('\\')}`,
  ].join('\n');
  writeFileSync(`${file}.dump`, `${dump}\n`);
  await dcmtk('dump2dcm', ['-g', '+te', `${file}.dump`, file]);
  return file;
}

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

export interface Peer {
  port: number;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess) {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
}

/** storescp as `aeTitle` (the C-MOVE destination WORKSTATION, or the PACS behind the proxy). */
export async function startStorescp(aeTitle: string, dir: string): Promise<Peer> {
  const port = await freePort();
  mkdirSync(dir, { recursive: true });
  const child = spawn('storescp', ['-aet', aeTitle, '-od', dir, String(port)], { stdio: 'ignore' });
  await listening(port);
  return { port, stop: stopper(child) };
}

/** The adapter as a user runs it (its CLI) as "DICOMTRAIL", publishing to `topic`; `env`: more of its variables. */
export async function startAdapter(
  dir: string,
  topic: string,
  brokers: string[],
  env: Record<string, string>,
): Promise<Peer> {
  const adapter = await startAdapterProcess({ dir, topic, brokers, env });
  return { port: adapter.port, stop: () => adapter.stop() };
}

/** The traffic above; resolves when every dcmtk peer is done. Returns how many associations it opened. */
/** The patient's CT instances stored by MODALITY1 (user identity tech01) with storescu, calling `calledAe`. */
export async function storePatient(port: number, dir: string, calledAe: string): Promise<void> {
  const files: string[] = [];
  for (const [i, sop] of PATIENT.instances.entries())
    files.push(await writeCtInstance(path.join(dir, `ct${i}.dcm`), sop));
  const peer = ['-aet', 'MODALITY1', '-aec', calledAe, '--user', 'tech01', '127.0.0.1', String(port)];
  await dcmtk('storescu', [...peer, ...files]);
}

/**
 * storescu (PROPOSER) with a CT instance compressed to JPEG Spectral Selection (1.2.840.10008.1.2.4.53, retired,
 * not accepted by the node) and a profile proposing CT Image Storage with that transfer syntax alone: the
 * association is accepted with its only context rejected (transfer syntaxes not supported); storescu gives up.
 */
export async function proposeUnacceptedContext(port: number, dir: string): Promise<void> {
  const plain = await writeCtInstance(path.join(dir, 'ct-plain.dcm'), `${ROOT}.9.9.1`);
  const compressed = path.join(dir, 'ct-spectral.dcm');
  await dcmtk('dcmcjpeg', ['+es', plain, compressed]);
  const config = path.join(dir, 'spectral-only.cfg');
  writeFileSync(
    config,
    [
      '[[TransferSyntaxes]]',
      '[SpectralOnly]',
      'TransferSyntax1 = 1.2.840.10008.1.2.4.53',
      '[[PresentationContexts]]',
      '[CTSpectral]',
      'PresentationContext1 = CTImageStorage\\SpectralOnly',
      '[[Profiles]]',
      '[SpectralOnly]',
      'PresentationContexts = CTSpectral',
      '',
    ].join('\n'),
  );
  const args = ['-xf', config, 'SpectralOnly', '-aet', 'PROPOSER', '-aec', 'DICOMTRAIL'];
  await dcmtk('storescu', [...args, '127.0.0.1', String(port), compressed], false);
}

export async function runTraffic(adapterPort: number, dir: string): Promise<number> {
  const p = String(adapterPort);
  await storePatient(adapterPort, dir, 'DICOMTRAIL');
  await dcmtk('echoscu', ['-aet', 'STORESCU', '-aec', 'WRONG', '127.0.0.1', p], false);
  await proposeUnacceptedContext(adapterPort, dir);
  await dcmtk('echoscu', ['-aet', 'ABORTER', '-aec', 'DICOMTRAIL', '--abort', '127.0.0.1', p]);
  const keys = ['QueryRetrieveLevel=STUDY', `PatientID=${PATIENT.id}`];
  await dcmtk(
    'findscu',
    qrArgs({ aet: 'VIEWER', aec: 'DICOMTRAIL', port: adapterPort, keys: [...keys, 'StudyInstanceUID'] }),
  );
  await dcmtk(
    'movescu',
    qrArgs({
      aet: 'VIEWER',
      aec: 'DICOMTRAIL',
      port: adapterPort,
      extra: ['-aem', 'WORKSTATION'],
      keys: [...keys, `StudyInstanceUID=${PATIENT.studyUid}`],
    }),
  );
  // storescu, echoscu (rejected), storescu (no context), echoscu (aborted), findscu, movescu and the C-MOVE's
  // sub-association.
  return 7;
}
