-- Each service logs in as its own role with only what it needs, so that no service holds a superuser session
-- it could RESET ROLE back to:
--   dicomtrail_audit_writer  the audit writer: the rights of dicomtrail_writer (INSERT into the trail, its
--                            bookkeeping, the projections); hash-chain heads only through audit.advance_chain_heads
--   dicomtrail_console       an auditor console: SELECT on the trail, its projections, findings and views
--   dicomtrail_retention     `dicomtrail-audit retention`: drops a month only through audit.drop_event_partition,
--                            which refuses a month younger than audit.retention_policy.min_days
-- Roles are cluster-wide: created when missing; one that exists keeps its grants in every database and only
-- gains LOGIN if it lacked it (dicomtrail_console may exist as the console's NOLOGIN group: it becomes a login too).
-- They have no password: local servers trust 127.0.0.1 (scripts, tests); elsewhere set one
-- (ALTER ROLE dicomtrail_audit_writer PASSWORD ...) and give the services their URLs
-- (AUDIT_WRITER_DATABASE_URL, AUDIT_RETENTION_DATABASE_URL).
DO $$
DECLARE r text;
BEGIN
  FOREACH r IN ARRAY ARRAY['dicomtrail_audit_writer', 'dicomtrail_console', 'dicomtrail_retention'] LOOP
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r);
    ELSIF NOT (SELECT rolcanlogin FROM pg_roles WHERE rolname = r) THEN
      EXECUTE format('ALTER ROLE %I LOGIN', r);
    END IF;
  END LOOP;
END $$;

GRANT dicomtrail_writer TO dicomtrail_audit_writer, dicomtrail_retention;

-- Chain heads: readable, never written directly. The writer's lock and advance go through the functions below,
-- which run as the owner.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON audit.chain_heads FROM dicomtrail_writer;
GRANT SELECT ON audit.chain_heads TO dicomtrail_writer;

-- The heads of the given chains, locked for the rest of the transaction.
CREATE FUNCTION audit.lock_chain_heads(p_chain_ids text[])
  RETURNS TABLE (chain_id text, "position" bigint, hash text)
  LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
  SELECT h.chain_id, h.position, encode(h.head_hash, 'hex')
    FROM audit.chain_heads h WHERE h.chain_id = ANY (p_chain_ids) ORDER BY h.chain_id FOR UPDATE
$$;

-- Moves chain heads, each only to a row of the trail that extends the chain: the row at the new position exists
-- with exactly that hash, the position grows, and the first row after the old head links to it (prev_hash =
-- old head hash; for a new chain, the first row links to the chain's genesis hash). The rows in between are
-- what `verify` walks; this refuses a head that skips back, jumps off the chain or names a row not inserted.
CREATE FUNCTION audit.advance_chain_heads(p_heads json)
  RETURNS void
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  h record;
  old_position bigint;
  old_hash bytea;
  link bytea;
  found_hash bytea;
BEGIN
  FOR h IN SELECT * FROM json_to_recordset(p_heads)
             AS x(chain_id text, partition text, position bigint, head_hash bytea) LOOP
    SELECT c.position, c.head_hash INTO old_position, old_hash
      FROM audit.chain_heads c WHERE c.chain_id = h.chain_id FOR UPDATE;
    IF NOT FOUND THEN
      old_position := 0;
      old_hash := sha256(convert_to(E'dicomtrail.chain/1\n' || h.chain_id, 'UTF8'));
    END IF;
    IF h.position <= old_position THEN
      RAISE EXCEPTION 'chain head of % refused: position % does not extend %', h.chain_id, h.position, old_position
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    SELECT e.prev_hash INTO link FROM audit.events e
     WHERE e.chain_id = h.chain_id AND e.chain_position = old_position + 1;
    SELECT e.row_hash INTO found_hash FROM audit.events e
     WHERE e.chain_id = h.chain_id AND e.chain_position = h.position;
    IF link IS DISTINCT FROM old_hash OR found_hash IS DISTINCT FROM h.head_hash THEN
      RAISE EXCEPTION 'chain head of % refused: position % is not a row of the trail that extends the head at %',
        h.chain_id, h.position, old_position
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    INSERT INTO audit.chain_heads AS c (chain_id, partition, position, head_hash)
      VALUES (h.chain_id, h.partition, h.position, h.head_hash)
    ON CONFLICT (chain_id) DO UPDATE
      SET position = EXCLUDED.position, head_hash = EXCLUDED.head_hash, updated_at = now();
  END LOOP;
END $$;

REVOKE ALL ON FUNCTION audit.lock_chain_heads(text[]), audit.advance_chain_heads(json) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.lock_chain_heads(text[]), audit.advance_chain_heads(json) TO dicomtrail_writer;

-- The retention floor: no month younger than this many days is dropped, whatever the job is asked. Six years
-- (2190 days) by default: HIPAA keeps required documentation six years (45 CFR 164.316(b)(2)). Only the owner
-- changes it (UPDATE audit.retention_policy SET min_days = ...), as a deliberate act.
CREATE TABLE audit.retention_policy (
  only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  min_days  int     NOT NULL CHECK (min_days >= 1)
);
INSERT INTO audit.retention_policy (min_days) VALUES (2190);

-- Drops one monthly partition of audit.events whose whole month ended at least min_days ago: its chains' heads
-- move to audit.chain_anchors, then DETACH and DROP. Returns the rows it held.
CREATE FUNCTION audit.drop_event_partition(p_name text)
  RETURNS bigint
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  month_end timestamptz;
  floor_days int;
  n bigint;
BEGIN
  IF p_name !~ '^events_[0-9]{4}_(0[1-9]|1[0-2])$' OR NOT EXISTS (
       SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit.events'::regclass AND c.relname = p_name) THEN
    RAISE EXCEPTION 'retention refused: % is not a partition of audit.events', p_name
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  month_end := (to_date(substr(p_name, 8), 'YYYY_MM')::timestamp AT TIME ZONE 'UTC') + interval '1 month';
  SELECT min_days INTO floor_days FROM audit.retention_policy;
  IF month_end > now() - make_interval(days => floor_days) THEN
    RAISE EXCEPTION 'retention refused: % ends %, less than the floor of % days ago (audit.retention_policy)',
      p_name, month_end, floor_days
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  EXECUTE format('SELECT count(*) FROM audit.%I', p_name) INTO n;
  INSERT INTO audit.chain_anchors (chain_id, partition, position, head_hash)
    SELECT chain_id, partition, position, head_hash FROM audit.chain_heads WHERE partition = p_name
  ON CONFLICT (chain_id) DO NOTHING;
  DELETE FROM audit.chain_heads WHERE partition = p_name;
  EXECUTE format('ALTER TABLE audit.events DETACH PARTITION audit.%I', p_name);
  EXECUTE format('DROP TABLE audit.%I', p_name);
  RETURN n;
END $$;
REVOKE ALL ON FUNCTION audit.drop_event_partition(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.drop_event_partition(text) TO dicomtrail_retention;
GRANT SELECT ON audit.retention_policy TO dicomtrail_retention, dicomtrail_reader;
-- What retention does beside: prunes the projections of dropped months, numbers its own EVT_RETENTION events.
GRANT DELETE ON audit.associations, audit.operations, audit.seq_findings TO dicomtrail_retention;
GRANT SELECT (type, node_id) ON audit.events TO dicomtrail_retention;

-- The console reads what an auditor reads: the trail, its projections, findings, dead letters and every view.
GRANT USAGE ON SCHEMA audit TO dicomtrail_console;
GRANT SELECT ON audit.events, audit.events_with_negotiation, audit.negotiations, audit.associations,
  audit.operations, audit.seq_findings, audit.dead_letters, audit.chain_heads, audit.chain_anchors,
  audit.retention_policy, audit.patient_access, audit.study_access, audit.ae_activity, audit.failed_operations,
  audit.rejected_associations, audit.aborted_associations, audit.user_identities, audit.open_seq_findings,
  audit.requestor_associations, audit.proxied_associations, audit.dead_lettered_associations
  TO dicomtrail_console;
