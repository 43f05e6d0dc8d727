-- The schema that holds dicomtrail's audit trail. Tables arrive with the audit writer.
CREATE SCHEMA IF NOT EXISTS audit;
COMMENT ON SCHEMA audit IS 'dicomtrail: append-only, tamper-evident audit trail of DICOM network events';
