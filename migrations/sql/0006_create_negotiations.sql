-- Negotiations stored once: an association's lifecycle events (EVT_REQUESTED, EVT_ACCEPTED, EVT_ESTABLISHED,
-- EVT_RELEASED, ...) each carry the whole negotiation (storescu proposes 128 presentation contexts: ~35 KB),
-- and associations from one peer repeat it. From this migration on the writer stores each distinct negotiation
-- once in audit.negotiations, keyed by the sha256 of its canonical JSON, and an event row refers to it by
-- negotiation_sha256 (its negotiation column stays NULL; rows written before keep theirs inline).
-- The row hash still covers the negotiation itself (read back through audit.events_with_negotiation), so an edit
-- of a stored negotiation breaks every row that refers to it.

CREATE TABLE audit.negotiations (
  sha256       bytea       PRIMARY KEY,
  negotiation  jsonb       NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE audit.negotiations IS
  'Each distinct association negotiation once, by sha256 of its canonical JSON; events refer to it by negotiation_sha256';
CREATE TRIGGER negotiations_append_only BEFORE UPDATE OR DELETE ON audit.negotiations
  FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();

ALTER TABLE audit.events ADD COLUMN negotiation_sha256 bytea;
COMMENT ON COLUMN audit.events.negotiation_sha256 IS
  'The negotiation of the event, in audit.negotiations (NULL: none, or stored inline in negotiation)';

-- Every event with its negotiation, wherever it is stored: what auditors query and what verify hashes.
CREATE VIEW audit.events_with_negotiation AS
SELECT e.id, e.occurred_at, e.ingested_at, e.schema, e.type, e.kind, e.seq,
       e.association_id, e.association_role, e.calling_ae_title, e.called_ae_title,
       e.local_address, e.local_port, e.remote_address, e.remote_port,
       coalesce(e.negotiation, n.negotiation) AS negotiation,
       e.parent_association_id, e.parent_message_id,
       e.node_id, e.node_hostname, e.node_version, e.node_mode,
       e.trace_id, e.span_id, e.parent_span_id, e.params,
       e.message_id, e.sop_class_uid, e.sop_instance_uid, e.status, e.status_category,
       e.patient_id, e.patient_name, e.study_instance_uid, e.series_instance_uid, e.accession_number,
       e.source_topic, e.source_partition, e.source_offset,
       e.chain_id, e.chain_position, e.prev_hash, e.row_hash, e.negotiation_sha256
  FROM audit.events e
  LEFT JOIN audit.negotiations n ON n.sha256 = e.negotiation_sha256;
COMMENT ON VIEW audit.events_with_negotiation IS
  'audit.events with each negotiation filled in from audit.negotiations where it is stored once';

GRANT SELECT, INSERT ON audit.negotiations TO dicomtrail_writer;
GRANT SELECT ON audit.negotiations, audit.events_with_negotiation TO dicomtrail_reader;
