import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DicomJson, DicomJsonElement } from '../dataset/dicom-json.js';
import { isUniversal, matchDataset, matchElement, project } from './matching.js';

const el = (vr: string, ...v: unknown[]): DicomJsonElement => (v.length ? { vr, Value: v } : { vr });
const pn = (s: string) => ({ Alphabetic: s });

test('universal matching: no value, empty value and a lone * match anything, even an absent attribute', () => {
  assert.ok(matchElement(el('LO'), undefined));
  assert.ok(matchElement(el('LO', '*'), undefined));
  assert.ok(matchElement({ vr: 'LO', Value: [] }, el('LO', 'x')));
  assert.ok(isUniversal(el('SQ', {})));
  assert.ok(!isUniversal(el('LO', 'A*')));
});

test('single value matching: exact for strings, case-insensitive for PN, numeric for IS/US', () => {
  assert.ok(matchElement(el('LO', 'PID-1'), el('LO', 'PID-1')));
  assert.ok(!matchElement(el('LO', 'PID-1'), el('LO', 'pid-1')));
  assert.ok(!matchElement(el('LO', 'PID-1'), el('LO', 'PID-10')));
  assert.ok(matchElement(el('PN', pn('doe^jane')), el('PN', pn('Doe^Jane'))));
  assert.ok(matchElement(el('IS', '3'), el('IS', 3)));
  assert.ok(!matchElement(el('LO', 'x'), undefined), 'an absent attribute matches only universally');
});

test('wildcards: * any run, ? one character, regex characters are literal', () => {
  assert.ok(matchElement(el('PN', pn('Doe*')), el('PN', pn('Doe^Jane'))));
  assert.ok(matchElement(el('PN', pn('*^J?ne')), el('PN', pn('Doe^Jane'))));
  assert.ok(!matchElement(el('PN', pn('*^J?ne')), el('PN', pn('Doe^Joanne'))));
  assert.ok(matchElement(el('LO', 'A.B*'), el('LO', 'A.B.C')));
  assert.ok(!matchElement(el('LO', 'A.B*'), el('LO', 'AxB.C')));
  assert.ok(matchElement(el('CS', 'C?'), el('CS', 'MR', 'CT')), 'any of several stored values');
});

test('UID list matching: any of the listed UIDs, no wildcards', () => {
  assert.ok(matchElement(el('UI', '1.2.3', '1.2.4'), el('UI', '1.2.4')));
  assert.ok(!matchElement(el('UI', '1.2.3', '1.2.4'), el('UI', '1.2.5')));
  assert.ok(!matchElement(el('UI', '1.2.*'), el('UI', '1.2.5')));
});

test('date ranges: closed, open either side, single date; inclusive', () => {
  const d = el('DA', '20240315');
  for (const q of ['20240101-20241231', '20240315-20240315', '20240301-', '-20240315', '20240315'])
    assert.ok(matchElement(el('DA', q), d), q);
  for (const q of ['20240316-', '-20240314', '20230101-20231231', '20240314'])
    assert.ok(!matchElement(el('DA', q), d), q);
});

test('time ranges pad partial bounds: -1030 includes 10:30:59, 10- starts at 10:00:00', () => {
  assert.ok(matchElement(el('TM', '-1030'), el('TM', '103059.123')));
  assert.ok(!matchElement(el('TM', '-1030'), el('TM', '1031')));
  assert.ok(matchElement(el('TM', '10-'), el('TM', '100000')));
  assert.ok(!matchElement(el('TM', '10-'), el('TM', '095959')));
  assert.ok(matchElement(el('TM', '0800-1200'), el('TM', '09')));
  assert.ok(matchElement(el('DT', '20240101-20240102'), el('DT', '20240102235959')));
  assert.ok(!matchElement(el('DT', '20240101-20240102'), el('DT', '20240103')));
});

test('sequence matching: some stored item matches every key of the query item', () => {
  const stored: DicomJson = {
    '00400100': el(
      'SQ',
      { '00080060': el('CS', 'MR') },
      { '00080060': el('CS', 'CT'), '00400002': el('DA', '20240315') },
    ),
  };
  assert.ok(matchDataset({ '00400100': el('SQ', { '00080060': el('CS', 'CT') }) }, stored));
  assert.ok(
    matchDataset(
      { '00400100': el('SQ', { '00080060': el('CS', 'CT'), '00400002': el('DA', '2024-') }) },
      stored,
    ),
  );
  assert.ok(
    !matchDataset(
      { '00400100': el('SQ', { '00080060': el('CS', 'MR'), '00400002': el('DA', '2024-') }) },
      stored,
    ),
    'keys must hold in the same item',
  );
  assert.ok(matchDataset({ '00400100': el('SQ', {}) }, {}), 'an empty item is universal');
});

test('matchDataset: every key must match; skipped tags are ignored', () => {
  const data: DicomJson = { '00100020': el('LO', 'P1'), '00080060': el('CS', 'CT') };
  assert.ok(matchDataset({ '00100020': el('LO', 'P1'), '00080060': el('CS', 'CT') }, data));
  assert.ok(!matchDataset({ '00100020': el('LO', 'P1'), '00080060': el('CS', 'MR') }, data));
  assert.ok(matchDataset({ '00080060': el('CS', 'MR') }, data, new Set(['00080060'])));
});

test('project: requested keys only, empty when unknown, sequence items reduced to the requested item keys', () => {
  const data: DicomJson = {
    '00100020': el('LO', 'P1'),
    '00100010': el('PN', pn('Doe')),
    '00400100': el('SQ', { '00080060': el('CS', 'CT'), '00400001': el('AE', 'CT1') }),
  };
  assert.deepEqual(
    project(
      { '00100020': el('LO'), '00200010': el('SH'), '00400100': el('SQ', { '00080060': el('CS') }) },
      data,
    ),
    {
      '00100020': el('LO', 'P1'),
      '00200010': { vr: 'SH' },
      '00400100': el('SQ', { '00080060': el('CS', 'CT') }),
    },
  );
});
