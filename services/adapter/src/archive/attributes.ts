/**
 * The attributes the archive keeps per Query/Retrieve level, PS3.4 §C.6.1.1 (Patient Root) and §C.6.2.1
 * (Study Root): the unique key of each level, the required and optional keys a viewer asks for, and the
 * level's derived attributes (counts and "in study" lists, computed by the index, never stored).
 * Tags are DICOM JSON keys (8 upper-case hex digits).
 */
import type { DicomJson } from '../dataset/dicom-json.js';

export type QueryLevel = 'PATIENT' | 'STUDY' | 'SERIES' | 'IMAGE';
export const QUERY_LEVELS: readonly QueryLevel[] = ['PATIENT', 'STUDY', 'SERIES', 'IMAGE'];

export const Tag = {
  SpecificCharacterSet: '00080005',
  SOPClassUID: '00080016',
  SOPInstanceUID: '00080018',
  QueryRetrieveLevel: '00080052',
  RetrieveAETitle: '00080054',
  ModalitiesInStudy: '00080061',
  SOPClassesInStudy: '00080062',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  NumberOfPatientRelatedStudies: '00201200',
  NumberOfPatientRelatedSeries: '00201202',
  NumberOfPatientRelatedInstances: '00201204',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
  Modality: '00080060',
} as const;

/** Stored attributes per level (besides the unique key, which is always kept). */
export const LEVEL_ATTRIBUTES: Record<QueryLevel, readonly string[]> = {
  PATIENT: [
    '00100010', // PatientName
    '00100020', // PatientID
    '00100021', // IssuerOfPatientID
    '00100030', // PatientBirthDate
    '00100032', // PatientBirthTime
    '00100040', // PatientSex
    '00101000', // OtherPatientIDs
    '00101001', // OtherPatientNames
    '00102160', // EthnicGroup
    '00104000', // PatientComments
  ],
  STUDY: [
    '0020000D', // StudyInstanceUID
    '00080020', // StudyDate
    '00080030', // StudyTime
    '00080050', // AccessionNumber
    '00200010', // StudyID
    '00081030', // StudyDescription
    '00080090', // ReferringPhysicianName
    '00081060', // NameOfPhysiciansReadingStudy
    '00081080', // AdmittingDiagnosesDescription
    '00101010', // PatientAge
    '00101020', // PatientSize
    '00101030', // PatientWeight
    '00102180', // Occupation
    '001021B0', // AdditionalPatientHistory
  ],
  SERIES: [
    '0020000E', // SeriesInstanceUID
    '00080060', // Modality
    '00200011', // SeriesNumber
    '0008103E', // SeriesDescription
    '00080021', // SeriesDate
    '00080031', // SeriesTime
    '00180015', // BodyPartExamined
    '00185100', // PatientPosition
    '00200060', // Laterality
    '00400244', // PerformedProcedureStepStartDate
    '00400245', // PerformedProcedureStepStartTime
    '00400275', // RequestAttributesSequence
  ],
  IMAGE: [
    '00080018', // SOPInstanceUID
    '00080016', // SOPClassUID
    '00200013', // InstanceNumber
    '00080008', // ImageType
    '00080022', // AcquisitionDate
    '00080032', // AcquisitionTime
    '00080023', // ContentDate
    '00080033', // ContentTime
    '00200012', // AcquisitionNumber
    '00280010', // Rows
    '00280011', // Columns
    '00280008', // NumberOfFrames
    '00280100', // BitsAllocated
    '0040A491', // CompletionFlag
    '0040A493', // VerificationFlag
  ],
};

/** Every tag the index keeps from an instance's header. */
export const INDEXED_TAGS: ReadonlySet<string> = new Set(QUERY_LEVELS.flatMap((l) => LEVEL_ATTRIBUTES[l]));

/** The unique key of each level. */
export const UNIQUE_KEY: Record<QueryLevel, string> = {
  PATIENT: Tag.PatientID,
  STUDY: Tag.StudyInstanceUID,
  SERIES: Tag.SeriesInstanceUID,
  IMAGE: Tag.SOPInstanceUID,
};

/** Derived attributes (PS3.4 C.6.1.1.2-C.6.1.1.4) answered at each level. */
export const DERIVED: Record<QueryLevel, readonly string[]> = {
  PATIENT: [
    Tag.NumberOfPatientRelatedStudies,
    Tag.NumberOfPatientRelatedSeries,
    Tag.NumberOfPatientRelatedInstances,
  ],
  STUDY: [
    Tag.ModalitiesInStudy,
    Tag.SOPClassesInStudy,
    Tag.NumberOfStudyRelatedSeries,
    Tag.NumberOfStudyRelatedInstances,
  ],
  SERIES: [Tag.NumberOfSeriesRelatedInstances],
  IMAGE: [],
};

/** The elements of `header` that `tags` names (binary values left out: the index never needs them). */
export function pick(header: DicomJson, tags: Iterable<string>): DicomJson {
  const out: DicomJson = {};
  for (const t of tags) {
    const el = header[t];
    if (el && el.InlineBinary === undefined && el.BulkData === undefined) out[t] = el;
  }
  return out;
}

/** The query level of `identifier`, or undefined when (0008,0052) is missing or not a level name. */
export function queryLevel(identifier: DicomJson): QueryLevel | undefined {
  const v = String(identifier[Tag.QueryRetrieveLevel]?.Value?.[0] ?? '').trim();
  return (QUERY_LEVELS as readonly string[]).includes(v) ? (v as QueryLevel) : undefined;
}
