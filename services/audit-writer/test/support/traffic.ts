/**
 * One run of real DICOM traffic through the adapter, with dcmtk peers (and the adapter's own SCU for
 * storage commitment, which dcmtk lacks): what the end-to-end and audit-query tests assert on.
 *  - ECHOSCU: C-ECHO, released
 *  - MODALITY1 (user identity "tech01"): 3 C-STOREs of patient PID-AUD-1, study STUDY, released
 *  - ECHOSCU → called AE WRONG: rejected (called AE title not recognized, reason 7)
 *  - ABORTER: C-ECHO then A-ABORT
 *  - VIEWER: C-FIND (study level, patient PID-AUD-1), then C-MOVE to an unknown destination (0xA801)
 *  - COMMITSCU: storage commitment N-ACTION for the 3 instances, N-EVENT-REPORT back
 */
import path from 'node:path';
import { runDcmtk } from '@dicomtrail/testing';
import { requestCommitment } from './commitment-scu.js';
import { type Instance, SC_IMAGE_STORAGE, writeInstance } from './instances.js';

const ROOT = `1.2.826.0.1.3680043.10.1386.88.${process.pid}.${Date.now()}`;

export const TRAFFIC = {
  patientId: 'PID-AUD-1',
  patientName: 'Audit^Alice',
  studyUid: `${ROOT}.1`,
  seriesUid: `${ROOT}.1.1`,
  instances: [1, 2, 3].map((i) => `${ROOT}.1.1.${i}`),
  associations: 7,
};

async function dcmtk(tool: string, args: string[], expectOk = true): Promise<void> {
  const r = await runDcmtk(tool, args, { timeoutMs: 30_000 });
  if (expectOk && r.code !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
}

export async function runTraffic(port: number, dir: string): Promise<Instance[]> {
  const p = String(port);
  const files: Instance[] = [];
  for (const [i, sop] of TRAFFIC.instances.entries()) {
    files.push(
      await writeInstance(path.join(dir, `i${i}.dcm`), {
        sopInstanceUid: sop,
        patientId: TRAFFIC.patientId,
        patientName: TRAFFIC.patientName,
        studyUid: TRAFFIC.studyUid,
        seriesUid: TRAFFIC.seriesUid,
      }),
    );
  }
  await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'DICOMTRAIL', '127.0.0.1', p]);
  await dcmtk('storescu', [
    ...['-aet', 'MODALITY1', '-aec', 'DICOMTRAIL', '--user', 'tech01', '127.0.0.1', p],
    ...files.map((f) => f.file),
  ]);
  await dcmtk('echoscu', ['-aet', 'ECHOSCU', '-aec', 'WRONG', '127.0.0.1', p], false);
  await dcmtk('echoscu', ['-aet', 'ABORTER', '-aec', 'DICOMTRAIL', '--abort', '127.0.0.1', p]);
  const keys = ['-k', 'QueryRetrieveLevel=STUDY', '-k', `PatientID=${TRAFFIC.patientId}`];
  await dcmtk('findscu', [
    '-S',
    '-aet',
    'VIEWER',
    '-aec',
    'DICOMTRAIL',
    ...keys,
    '-k',
    'StudyInstanceUID',
    '127.0.0.1',
    p,
  ]);
  await dcmtk(
    'movescu',
    [
      '-S',
      '-aet',
      'VIEWER',
      '-aec',
      'DICOMTRAIL',
      '-aem',
      'NOWHERE',
      ...keys,
      '-k',
      `StudyInstanceUID=${TRAFFIC.studyUid}`,
      '127.0.0.1',
      p,
    ],
    false,
  );
  const status = await requestCommitment(
    port,
    `${ROOT}.9`,
    TRAFFIC.instances.map((sop) => [SC_IMAGE_STORAGE, sop] as [string, string]),
  );
  if (status !== 0) throw new Error(`storage commitment N-ACTION status ${status}`);
  return files;
}
