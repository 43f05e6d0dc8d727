-- The audit trail (ARCHITECTURE.md "Postgres"): audit.events, append-only and hash-chained, partitioned by month
-- on the event's own timestamp; the writer's bookkeeping (checkpoints, chain heads, chain anchors, seq findings).
-- Written by services/audit-writer; see docs/audit-queries.md for how auditors read it.

CREATE TABLE audit.events (
  id                     uuid        NOT NULL,
  occurred_at            timestamptz NOT NULL,
  ingested_at            timestamptz NOT NULL DEFAULT clock_timestamp(),
  schema                 text        NOT NULL,
  type                   text        NOT NULL,
  kind                   text        NOT NULL,
  seq                    bigint      NOT NULL,
  -- association (absent on node-scoped events such as EVT_RETENTION)
  association_id         uuid,
  association_role       text,
  calling_ae_title       text,
  called_ae_title        text,
  local_address          text,
  local_port             integer,
  remote_address         text,
  remote_port            integer,
  negotiation            jsonb,
  parent_association_id  uuid,
  parent_message_id      integer,
  -- node
  node_id                text        NOT NULL,
  node_hostname          text        NOT NULL,
  node_version           text        NOT NULL,
  node_mode              text        NOT NULL,
  -- trace
  trace_id               text        NOT NULL,
  span_id                text        NOT NULL,
  parent_span_id         text,
  params                 jsonb       NOT NULL,
  -- extracted from params by the writer, so auditors need no JSON paths
  message_id             integer,
  sop_class_uid          text,
  sop_instance_uid       text,
  status                 integer,
  status_category        text,
  patient_id             text,
  patient_name           text,
  study_instance_uid     text,
  series_instance_uid    text,
  accession_number       text,
  -- provenance and tamper evidence
  source_topic           text        NOT NULL,
  source_partition       integer     NOT NULL,
  source_offset          bigint      NOT NULL,
  chain_id               text        NOT NULL,
  chain_position         bigint      NOT NULL,
  prev_hash              bytea       NOT NULL,
  row_hash               bytea       NOT NULL,
  PRIMARY KEY (id, occurred_at)
) PARTITION BY RANGE (occurred_at);

COMMENT ON TABLE audit.events IS
  'Every dicomtrail event, one row per event id; append-only (UPDATE/DELETE refused), hash-chained per chain_id';
COMMENT ON COLUMN audit.events.ingested_at IS 'When the writer inserted the row (not covered by row_hash)';
COMMENT ON COLUMN audit.events.chain_id IS
  '<topic>/<kafka partition>/<month partition>: each chain has one writer and lives in one time partition';
COMMENT ON COLUMN audit.events.row_hash IS
  'sha256(prev_hash || canonical JSON of every other column but ingested_at); see dicomtrail-audit verify';

CREATE INDEX events_occurred_at_brin ON audit.events USING brin (occurred_at);
CREATE INDEX events_association ON audit.events (association_id, seq);
CREATE INDEX events_calling_ae ON audit.events (calling_ae_title, occurred_at);
CREATE INDEX events_called_ae ON audit.events (called_ae_title, occurred_at);
CREATE INDEX events_patient ON audit.events (patient_id, occurred_at) WHERE patient_id IS NOT NULL;
CREATE INDEX events_study ON audit.events (study_instance_uid, occurred_at) WHERE study_instance_uid IS NOT NULL;
CREATE INDEX events_chain ON audit.events (chain_id, chain_position);

-- Append-only: no role may UPDATE or DELETE a row of the trail (retention drops whole partitions instead).
CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit trail is append-only: % on %.% refused', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

-- Monthly partitions, created ahead by the writer (at start-up, periodically, and for any month a batch needs)
-- through this function, so the writer role needs no DDL rights.
CREATE FUNCTION audit.ensure_event_partitions(p_from timestamptz, p_to timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
DECLARE
  m date := date_trunc('month', p_from AT TIME ZONE 'UTC')::date;
  last date := date_trunc('month', p_to AT TIME ZONE 'UTC')::date;
  created integer := 0;
  name text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('audit.ensure_event_partitions'));
  WHILE m <= last LOOP
    name := 'events_' || to_char(m, 'YYYY_MM');
    IF to_regclass('audit.' || name) IS NULL THEN
      EXECUTE format(
        'CREATE TABLE audit.%I PARTITION OF audit.events FOR VALUES FROM (%L) TO (%L)',
        name, (m::timestamp AT TIME ZONE 'UTC'), ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC'));
      created := created + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN created;
END $$;

-- The writer's position per consumer group and Kafka partition, updated in the batch's transaction:
-- the database, not Kafka, is the truth of what was written.
CREATE TABLE audit.consumer_checkpoints (
  group_id     text        NOT NULL,
  topic        text        NOT NULL,
  partition    integer     NOT NULL,
  next_offset  bigint      NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- The head of every hash chain: its last position and hash (verify checks the last row against it, so
-- removing rows from the end of a chain is caught too).
CREATE TABLE audit.chain_heads (
  chain_id    text        PRIMARY KEY,
  partition   text        NOT NULL,
  position    bigint      NOT NULL,
  head_hash   bytea       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Chains whose time partition the retention job dropped: their final head, kept for good.
CREATE TABLE audit.chain_anchors (
  chain_id    text        PRIMARY KEY,
  partition   text        NOT NULL,
  position    bigint      NOT NULL,
  head_hash   bytea       NOT NULL,
  dropped_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER chain_anchors_append_only BEFORE UPDATE OR DELETE ON audit.chain_anchors
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

-- A gap in an association's seq: a later seq arrived without the earlier ones. Resolved when they arrive.
CREATE TABLE audit.seq_findings (
  association_id  uuid        NOT NULL,
  expected_seq    bigint      NOT NULL,
  got_seq         bigint      NOT NULL,
  detected_at     timestamptz NOT NULL DEFAULT now(),
  resolved_at     timestamptz,
  PRIMARY KEY (association_id, expected_seq)
);
COMMENT ON TABLE audit.seq_findings IS
  'Seqs expected_seq .. got_seq-1 of the association were missing when got_seq arrived';
