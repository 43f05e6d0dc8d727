-- The anchoring process's role (services/audit-writer/src/anchoring): it reads what it signs and nothing more:
-- the chain heads, the final heads retention kept, and the retention runs, never the events' content (PHI).
-- Cluster-global, so created only if missing; a NOLOGIN group like the others (GRANT dicomtrail_anchor TO anchor).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dicomtrail_anchor') THEN
    CREATE ROLE dicomtrail_anchor NOLOGIN;
  END IF;
END $$;

-- The retention job's runs (EVT_RETENTION rows): when, the cutoff, the days kept, the months dropped.
CREATE VIEW audit.retention_runs AS
  SELECT id, occurred_at, params->>'cutoff' AS cutoff, (params->>'retention_days')::integer AS retention_days,
         params->'partitions' AS partitions
    FROM audit.events
   WHERE type = 'EVT_RETENTION';
COMMENT ON VIEW audit.retention_runs IS
  'Every run of the retention job (EVT_RETENTION): what the anchors and verify --anchors accept a dropped month by';

GRANT USAGE ON SCHEMA audit TO dicomtrail_anchor;
GRANT SELECT ON audit.chain_heads, audit.chain_anchors, audit.retention_runs TO dicomtrail_anchor;
