import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readingProperties, transferSyntax } from './transfer-syntaxes.js';
import {
  isStorageSopClass,
  SopClass,
  STORAGE_SOP_CLASS_UIDS,
  StorageSopClass,
  sopClassName,
} from './uids.js';

test('storage SOP classes: at least 80, unique, named', () => {
  assert.ok(STORAGE_SOP_CLASS_UIDS.length >= 80);
  assert.equal(new Set(STORAGE_SOP_CLASS_UIDS).size, STORAGE_SOP_CLASS_UIDS.length);
  assert.equal(sopClassName('1.2.840.10008.5.1.4.1.1.2'), 'CT Image Storage');
  assert.equal(sopClassName(StorageSopClass['EncapsulatedPDFStorage']!), 'Encapsulated PDF Storage');
  assert.equal(
    sopClassName(SopClass['StudyRootQueryRetrieveInformationModelMove']!),
    'Study Root Query/Retrieve Information Model - MOVE',
  );
  assert.ok(isStorageSopClass(StorageSopClass['RTPlanStorage']!));
  assert.ok(!isStorageSopClass(SopClass['Verification']!));
  assert.equal(sopClassName('1.2.3'), undefined);
});

test('transfer syntax properties', () => {
  assert.deepEqual(
    [transferSyntax('1.2.840.10008.1.2')?.explicitVr, transferSyntax('1.2.840.10008.1.2.2')?.littleEndian],
    [false, false],
  );
  assert.equal(transferSyntax('1.2.840.10008.1.2.1.99')?.deflated, true);
  assert.equal(transferSyntax('1.2.840.10008.1.2.4.201')?.encapsulated, true);
  assert.equal(readingProperties('1.2.3.4').encapsulated, true);
});
