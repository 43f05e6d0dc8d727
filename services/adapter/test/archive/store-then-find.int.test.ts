/**
 * The archive indexes a stored instance after its C-STORE-RSP is handed to the socket (archive.ts, StoredFile
 * afterResponse), yet before any later request is read: a C-FIND sent the moment the response arrives, on
 * the same association or another one, finds the instance. C-STOREs in flight together, on several
 * associations, are still checked against each other: the same SOP Instance UID with other content under
 * another study is refused (0x0111), and the store size limit holds.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { associate, type DicomClient } from '../../src/association/client.js';
import { readPart10 } from '../../src/dataset/part10.js';
import { STUDY_ROOT_FIND } from '../../src/dataset/uids.js';
import {
  type ArchiveInstanceSpec,
  type ArchiveServer,
  archiveInstance,
  EXPLICIT_LE,
  SC,
  startArchiveServer,
} from '../support/archive.js';
import { testLog } from '../support/server.js';

const U = '1.2.826.0.1.3680043.10.1386.71';

function spec(n: number, study = 1): ArchiveInstanceSpec {
  return {
    patientId: 'PID-F1',
    patientName: 'Doe^Jane',
    studyUid: `${U}.1.${study}`,
    studyDate: '20240110',
    studyTime: '083000',
    accession: 'ACC1',
    seriesUid: `${U}.2.${study}`,
    modality: 'OT',
    sopInstanceUid: `${U}.3.${n}`,
    instanceNumber: n,
  };
}

function dataset(s: ArchiveInstanceSpec): Buffer {
  return readPart10(archiveInstance(s)).datasetBytes;
}

async function open(s: ArchiveServer, calling: string): Promise<DicomClient> {
  return associate({
    host: '127.0.0.1',
    port: s.port,
    callingAeTitle: calling,
    calledAeTitle: 'DICOMTRAIL',
    contexts: [SC, STUDY_ROOT_FIND].map((a) => ({ abstractSyntax: a, transferSyntaxes: [EXPLICIT_LE] })),
    log: testLog,
  });
}

async function found(c: DicomClient, sop: string): Promise<string[]> {
  const uids: string[] = [];
  for await (const r of c.find(STUDY_ROOT_FIND, {
    '00080052': { vr: 'CS', Value: ['IMAGE'] },
    '0020000D': { vr: 'UI' },
    '0020000E': { vr: 'UI' },
    '00080018': { vr: 'UI', Value: [sop] },
  }))
    if (r.status === 0xff00) uids.push(String(r.identifier?.['00080018']?.Value?.[0]));
  return uids;
}

let s: ArchiveServer;
before(async () => {
  s = await startArchiveServer();
});
after(async () => {
  await s.close();
});

test('a C-FIND sent as soon as the C-STORE-RSP arrives finds the instance, on this association and another', async () => {
  const storer = await open(s, 'STORER');
  const other = await open(s, 'FINDER');
  try {
    for (let n = 1; n <= 20; n++) {
      const sop = spec(n).sopInstanceUid;
      assert.equal(await storer.store(SC, sop, EXPLICIT_LE, dataset(spec(n))), 0);
      // Both requests go out before this turn ends: nothing else runs between the response and them.
      const [mine, theirs] = await Promise.all([found(storer, sop), found(other, sop)]);
      assert.deepEqual(mine, [sop], `instance ${n} on the storing association`);
      assert.deepEqual(theirs, [sop], `instance ${n} on another association`);
    }
  } finally {
    await storer.release();
    await other.release();
  }
});

test('C-STOREs in flight together: the same SOP Instance UID with other content elsewhere is refused once', async () => {
  const clients = await Promise.all(['DUP1', 'DUP2', 'DUP3'].map((ae) => open(s, ae)));
  try {
    const sop = spec(100).sopInstanceUid;
    // The same SOP Instance UID under three studies (three other data sets), sent at once.
    const statuses = await Promise.all(
      clients.map((c, i) => c.store(SC, sop, EXPLICIT_LE, dataset({ ...spec(100, 10 + i) }))),
    );
    assert.deepEqual(
      [...statuses].sort(),
      [0, 0x0111, 0x0111],
      `one stored, the others refused: ${statuses.map((x) => x.toString(16))}`,
    );
    assert.equal((await found(clients[0]!, sop)).length, 1);
  } finally {
    await Promise.all(clients.map((c) => c.release()));
  }
});

test('C-STOREs in flight together stay within the store size limit', async () => {
  const one = dataset(spec(200)).length + 200;
  const limited = await startArchiveServer({ maxBytes: Math.floor(2.5 * one) });
  const clients = await Promise.all(['Q1', 'Q2', 'Q3', 'Q4'].map((ae) => open(limited, ae)));
  try {
    const statuses = await Promise.all(
      clients.map((c, i) => c.store(SC, spec(200 + i).sopInstanceUid, EXPLICIT_LE, dataset(spec(200 + i)))),
    );
    assert.equal(
      statuses.filter((x) => x === 0).length,
      2,
      `statuses ${statuses.map((x) => x.toString(16))}`,
    );
    assert.equal(statuses.filter((x) => x === 0xa700).length, 2);
    assert.ok(limited.archive.index.storedBytes <= 2.5 * one);
  } finally {
    await Promise.all(clients.map((c) => c.release()));
    await limited.close();
  }
});
