-- Projections of audit.events, updated in the writer's batch transaction and rebuilt from audit.events by
-- `dicomtrail-audit rebuild-projections`.

CREATE TABLE audit.associations (
  association_id               uuid PRIMARY KEY,
  role                         text,
  calling_ae_title             text,
  called_ae_title              text,
  local_address                text,
  local_port                   integer,
  remote_address               text,
  remote_port                  integer,
  node_id                      text,
  parent_association_id        uuid,
  parent_message_id            integer,
  connected_at                 timestamptz,
  requested_at                 timestamptz,
  accepted_at                  timestamptz,
  established_at               timestamptz,
  ended_at                     timestamptz,
  closed_at                    timestamptz,
  outcome                      text CHECK (outcome IN ('released', 'aborted', 'rejected')),
  released_by                  text,
  cause_result                 integer,
  cause_source                 integer,
  cause_reason                 integer,
  cause_result_name            text,
  cause_source_name            text,
  cause_reason_name            text,
  cause_initiator              text,
  cause_detail                 text,
  user_identity_type           text,
  user_identity                text,
  application_context          text,
  implementation_class_uid     text,
  implementation_version_name  text,
  max_pdu_requestor            bigint,
  max_pdu_acceptor             bigint,
  proposed_contexts            jsonb,
  accepted_contexts            jsonb,
  rejected_contexts            jsonb,
  first_event_at               timestamptz NOT NULL,
  last_event_at                timestamptz NOT NULL,
  event_count                  bigint NOT NULL DEFAULT 0,
  max_seq                      bigint NOT NULL,
  operation_count              integer NOT NULL DEFAULT 0,
  failed_operation_count       integer NOT NULL DEFAULT 0,
  instances_stored             integer NOT NULL DEFAULT 0,
  stored_bytes                 bigint NOT NULL DEFAULT 0,
  pdus_received                bigint NOT NULL DEFAULT 0,
  pdus_sent                    bigint NOT NULL DEFAULT 0,
  bytes_received               bigint NOT NULL DEFAULT 0,
  bytes_sent                   bigint NOT NULL DEFAULT 0,
  duration                     interval GENERATED ALWAYS AS (ended_at - requested_at) STORED
);
COMMENT ON TABLE audit.associations IS 'One row per association, folded from its events (projection)';
CREATE INDEX associations_requested_at ON audit.associations (requested_at);
CREATE INDEX associations_calling_ae ON audit.associations (calling_ae_title, requested_at);
CREATE INDEX associations_called_ae ON audit.associations (called_ae_title, requested_at);
CREATE INDEX associations_outcome ON audit.associations (outcome, requested_at);

CREATE TABLE audit.operations (
  association_id                    uuid    NOT NULL,
  service                           text    NOT NULL,
  message_id                        integer NOT NULL,
  direction                         text,
  sop_class_uid                     text,
  sop_instance_uid                  text,
  priority                          integer,
  move_destination                  text,
  move_originator_ae_title          text,
  move_originator_message_id        integer,
  patient_id                        text,
  patient_name                      text,
  study_instance_uid                text,
  series_instance_uid               text,
  accession_number                  text,
  query_level                       text,
  status                            integer,
  status_category                   text,
  error_comment                     text,
  responses                         integer,
  remaining_suboperations           integer,
  completed_suboperations           integer,
  failed_suboperations              integer,
  warning_suboperations             integer,
  stored_bytes                      bigint,
  cancelled                         boolean NOT NULL DEFAULT false,
  started_at                        timestamptz,
  handled_at                        timestamptz,
  ended_at                          timestamptz,
  duration                          interval GENERATED ALWAYS AS (ended_at - started_at) STORED,
  intervention_event_id             uuid,
  PRIMARY KEY (association_id, service, message_id)
);
COMMENT ON TABLE audit.operations IS
  'One row per DIMSE operation: request (started_at), handler outcome (handled_at), final response (ended_at)';
CREATE INDEX operations_started_at ON audit.operations (started_at);
CREATE INDEX operations_patient ON audit.operations (patient_id, started_at) WHERE patient_id IS NOT NULL;
CREATE INDEX operations_study ON audit.operations (study_instance_uid) WHERE study_instance_uid IS NOT NULL;
CREATE INDEX operations_sop_instance ON audit.operations (sop_instance_uid) WHERE sop_instance_uid IS NOT NULL;
CREATE INDEX operations_failed ON audit.operations (status, started_at) WHERE status_category = 'failure';
