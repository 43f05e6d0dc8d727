-- Indexes the auditor console's reports need, each chosen by EXPLAIN (ANALYZE) over the console benchmark's
-- 10 million seeded events (services/console/bench):
-- * associations_parent: the patient report and the timeline find a proxy's upstream leg and a C-MOVE's
--   sub-associations by parent (without it, a parallel seq scan of audit.associations: 630 ms -> 2 ms per report);
-- * operations_patient_name_trgm (pg_trgm): "name contains" for the patient search (ILIKE '%...%');
-- * operations_accession: search by accession number;
-- * associations_user_identity, associations_remote_address: search by user and by address within a period.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX IF NOT EXISTS associations_parent ON audit.associations (parent_association_id)
  WHERE parent_association_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS operations_patient_name_trgm ON audit.operations USING gin (patient_name gin_trgm_ops)
  WHERE patient_name IS NOT NULL;
CREATE INDEX IF NOT EXISTS operations_accession ON audit.operations (accession_number)
  WHERE accession_number IS NOT NULL;
CREATE INDEX IF NOT EXISTS associations_user_identity ON audit.associations (user_identity, requested_at)
  WHERE user_identity IS NOT NULL;
CREATE INDEX IF NOT EXISTS associations_remote_address ON audit.associations (remote_address, requested_at);
