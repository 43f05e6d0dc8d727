-- Roles (cluster-global, so created only if missing): dicomtrail_writer may only INSERT into the trail (and read
-- back the keys it inserted), and keeps its own bookkeeping and the projections; dicomtrail_reader may only
-- SELECT. Both are NOLOGIN groups: grant them to login users (GRANT dicomtrail_reader TO alice).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dicomtrail_writer') THEN
    CREATE ROLE dicomtrail_writer NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dicomtrail_reader') THEN
    CREATE ROLE dicomtrail_reader NOLOGIN;
  END IF;
END $$;

GRANT USAGE ON SCHEMA audit TO dicomtrail_writer, dicomtrail_reader;

GRANT INSERT ON audit.events TO dicomtrail_writer;
GRANT SELECT (id, occurred_at, association_id, seq, chain_id) ON audit.events TO dicomtrail_writer;
GRANT SELECT, INSERT, UPDATE ON audit.consumer_checkpoints, audit.chain_heads, audit.seq_findings,
  audit.associations, audit.operations TO dicomtrail_writer;
REVOKE ALL ON FUNCTION audit.ensure_event_partitions(timestamptz, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.ensure_event_partitions(timestamptz, timestamptz) TO dicomtrail_writer;

GRANT SELECT ON ALL TABLES IN SCHEMA audit TO dicomtrail_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA audit GRANT SELECT ON TABLES TO dicomtrail_reader;
