/**
 * The coded values the messages use, from PS3.16 (DCM: CID 400 Audit Event ID, CID 401 Audit Event Type Code,
 * CID 402 Audit Active Participant Role ID Code, CID 404 Audit Participant Object ID Type Code) and RFC 3881
 * (participant object ID types). Each code's meaning is the standard's code meaning.
 */
import type { Code } from './audit-message.js';

const dcm = (code: string, meaning: string): Code => ({ code, system: 'DCM', meaning });
const rfc3881 = (code: string, meaning: string): Code => ({ code, system: 'RFC-3881', meaning });

export const EVENT = {
  applicationActivity: dcm('110100', 'Application Activity'),
  auditLogUsed: dcm('110101', 'Audit Log Used'),
  beginTransferring: dcm('110102', 'Begin Transferring DICOM Instances'),
  instancesAccessed: dcm('110103', 'DICOM Instances Accessed'),
  instancesTransferred: dcm('110104', 'DICOM Instances Transferred'),
  orderRecord: dcm('110109', 'Order Record'),
  query: dcm('110112', 'Query'),
  securityAlert: dcm('110113', 'Security Alert'),
  userAuthentication: dcm('110114', 'User Authentication'),
} as const;

export const EVENT_TYPE = {
  applicationStart: dcm('110120', 'Application Start'),
  applicationStop: dcm('110121', 'Application Stop'),
  login: dcm('110122', 'Login'),
  nodeAuthentication: dcm('110126', 'Node Authentication'),
  unauthorizedUser: dcm('110127', 'Unauthorized User'),
  networkConfiguration: dcm('110128', 'Network Configuration'),
  securityConfiguration: dcm('110129', 'Security Configuration'),
} as const;

export const ROLE = {
  application: dcm('110150', 'Application'),
  applicationLauncher: dcm('110151', 'Application Launcher'),
  destination: dcm('110152', 'Destination Role ID'),
  source: dcm('110153', 'Source Role ID'),
} as const;

export const OBJECT_ID_TYPE = {
  patientNumber: rfc3881('2', 'Patient Number'),
  studyInstanceUid: dcm('110180', 'Study Instance UID'),
  sopClassUid: dcm('110181', 'SOP Class UID'),
  nodeId: dcm('110182', 'Node ID'),
  uri: rfc3881('12', 'URI'),
} as const;

/** Audit source type 4: application server process tier in a multi-tier system (RFC 3881 / A.5.2). */
export const SOURCE_TYPE_APPLICATION_SERVER: Code = {
  code: '4',
  system: 'DCM',
  meaning: 'Application Server Process Tier in a Multi-tier System',
};
