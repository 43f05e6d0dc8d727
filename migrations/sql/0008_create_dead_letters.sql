-- Every record the writer cannot store (not JSON, unknown schema major, schema failure such as a control
-- character in an AE title, text Postgres cannot hold) goes to the dead-letter topic AND gets a row here, in
-- the same transaction that moves the checkpoint past it. The DLQ expires with the topic's retention; this
-- row does not: an association whose events all failed is still visible to an auditor, with the reason.
-- What could be read of the envelope is kept (ids, seq, type, AE titles with control characters spelled out
-- as <U+XXXX>), and the record itself as text (up to 1 MiB, control characters spelled out the same way) with
-- its sha256 and size.
CREATE TABLE audit.dead_letters (
  topic            text        NOT NULL,
  partition        int         NOT NULL,
  kafka_offset     bigint      NOT NULL,
  dead_lettered_at timestamptz NOT NULL DEFAULT now(),
  reason           text        NOT NULL,
  event_id         uuid,
  event_type       text,
  association_id   uuid,
  seq              bigint,
  occurred_at      text,
  calling_ae_title text,
  called_ae_title  text,
  value_bytes      int         NOT NULL,
  value_sha256     bytea       NOT NULL,
  value_text       text,
  value_truncated  boolean     NOT NULL DEFAULT false,
  PRIMARY KEY (topic, partition, kafka_offset)
);
CREATE INDEX dead_letters_association ON audit.dead_letters (association_id, seq);
CREATE TRIGGER dead_letters_append_only BEFORE UPDATE OR DELETE ON audit.dead_letters
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
COMMENT ON TABLE audit.dead_letters IS
  'Records the writer could not store, with the reason; kept after the dead-letter topic expires';

-- For auditors: each association with events that could not be stored (or the record, when no association
-- id could be read), whether any of its events made it into the trail, and why the others did not.
CREATE VIEW audit.dead_lettered_associations AS
SELECT d.association_id,
       min(d.calling_ae_title) AS calling_ae_title,
       min(d.called_ae_title) AS called_ae_title,
       count(*) AS dead_lettered_events,
       min(d.seq) AS first_seq,
       max(d.seq) AS last_seq,
       array_agg(DISTINCT d.event_type) FILTER (WHERE d.event_type IS NOT NULL) AS event_types,
       array_agg(DISTINCT d.reason) AS reasons,
       min(d.dead_lettered_at) AS first_dead_lettered_at,
       EXISTS (SELECT 1 FROM audit.associations a WHERE a.association_id = d.association_id) AS partly_recorded
  FROM audit.dead_letters d
 GROUP BY d.association_id, CASE WHEN d.association_id IS NULL THEN d.kafka_offset END,
          CASE WHEN d.association_id IS NULL THEN d.topic END;

GRANT SELECT, INSERT ON audit.dead_letters TO dicomtrail_writer;
GRANT SELECT ON audit.dead_letters, audit.dead_lettered_associations TO dicomtrail_reader;
