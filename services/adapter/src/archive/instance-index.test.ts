import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DicomJson, DicomJsonElement } from '../dataset/dicom-json.js';
import { InstanceIndex } from './instance-index.js';

const el = (vr: string, ...v: unknown[]): DicomJsonElement => (v.length ? { vr, Value: v } : { vr });

function inst(p: string, study: string, series: string, sop: string, more: DicomJson = {}) {
  return {
    path: `/store/${sop}.dcm`,
    transferSyntax: '1.2.840.10008.1.2.1',
    attributes: {
      '00100020': el('LO', p),
      '00100010': el('PN', { Alphabetic: `Name^${p}` }),
      '0020000D': el('UI', study),
      '00080020': el('DA', study.endsWith('1') ? '20240101' : '20240601'),
      '0020000E': el('UI', series),
      '00080060': el('CS', series.startsWith('9') ? 'MR' : 'CT'),
      '00080018': el('UI', sop),
      '00080016': el('UI', '1.2.840.10008.5.1.4.1.1.7'),
      ...more,
    },
  };
}

function sample(): InstanceIndex {
  const ix = new InstanceIndex();
  ix.add(inst('P1', '1.1', '2.1', '3.1'));
  ix.add(inst('P1', '1.1', '2.1', '3.2'));
  ix.add(inst('P1', '1.1', '9.2', '3.3'));
  ix.add(inst('P2', '1.2', '2.3', '3.4'));
  return ix;
}

test('levels: patients, studies, series, instances are counted once each; re-adding an instance replaces it', () => {
  const ix = sample();
  assert.deepEqual(ix.counts(), { PATIENT: 2, STUDY: 2, SERIES: 3, IMAGE: 4 });
  ix.add(inst('P1', '1.1', '2.1', '3.1'));
  assert.deepEqual(ix.counts(), { PATIENT: 2, STUDY: 2, SERIES: 3, IMAGE: 4 });
  ix.remove('3.4');
  assert.deepEqual(ix.counts(), { PATIENT: 1, STUDY: 1, SERIES: 2, IMAGE: 3 });
});

test('study level: patient keys prune, derived attributes are computed, level is set', () => {
  const ix = sample();
  const q = {
    '00080052': el('CS', 'STUDY'),
    '00100010': el('PN', { Alphabetic: 'name^p1' }),
    '0020000D': el('UI'),
    '00080061': el('CS'),
    '00201208': el('IS'),
  };
  const r = [...ix.find('STUDY', q)];
  assert.equal(r.length, 1);
  assert.deepEqual(r[0]!['0020000D']!.Value, ['1.1']);
  assert.deepEqual(r[0]!['00080061']!.Value, ['CT', 'MR']);
  assert.deepEqual(r[0]!['00201208']!.Value, [3]);
  assert.deepEqual(r[0]!['00080052']!.Value, ['STUDY']);
});

test('matching on a derived attribute (Modalities in Study) and date range', () => {
  const ix = sample();
  const byModality = [...ix.find('STUDY', { '00080061': el('CS', 'MR'), '0020000D': el('UI') })];
  assert.deepEqual(
    byModality.map((r) => r['0020000D']!.Value![0]),
    ['1.1'],
  );
  const byDate = [...ix.find('STUDY', { '00080020': el('DA', '20240501-'), '0020000D': el('UI') })];
  assert.deepEqual(
    byDate.map((r) => r['0020000D']!.Value![0]),
    ['1.2'],
  );
});

test('UID list lookups at a lower level still check the levels above', () => {
  const ix = sample();
  const q = { '0020000E': el('UI', '2.1', '2.3'), '00100020': el('LO', 'P2') };
  assert.deepEqual(
    [...ix.find('SERIES', q)].map((r) => r['0020000E']!.Value![0]),
    ['2.3'],
  );
  assert.deepEqual(
    ix
      .retrieve('STUDY', { '0020000D': el('UI', '1.1') })
      .map((i) => i.sopInstanceUid)
      .sort(),
    ['3.1', '3.2', '3.3'],
  );
  assert.deepEqual(
    ix.retrieve('IMAGE', { '00080018': el('UI', '3.4', 'nope', '3.4') }).map((i) => i.path),
    ['/store/3.4.dcm'],
  );
});

test('keys the index does not keep are reported unless universal', () => {
  const ix = sample();
  assert.deepEqual(
    ix.unsupportedKeys({ '00181030': el('LO', 'x'), '00181031': el('LO'), '00100020': el('LO', 'P') }),
    ['00181030'],
  );
});

test('the walk is lazy: the first match comes before the rest are looked at', () => {
  const ix = new InstanceIndex();
  for (let i = 0; i < 1000; i++) ix.add(inst(`P${i}`, `1.${i}`, `2.${i}`, `3.${i}`));
  const it = ix.find('STUDY', { '0020000D': el('UI') });
  assert.equal(it.next().done, false);
});
