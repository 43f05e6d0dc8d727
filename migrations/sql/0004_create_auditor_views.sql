-- Views for auditors: the questions of docs/audit-queries.md without joins or JSON paths.

-- Who touched which patient: every DIMSE operation that named a patient (stored, queried, retrieved, ...).
CREATE VIEW audit.patient_access AS
SELECT o.patient_id, o.patient_name, o.study_instance_uid, o.series_instance_uid, o.sop_instance_uid,
       o.service, o.direction, o.status, o.status_category,
       coalesce(o.started_at, o.handled_at) AS accessed_at,
       a.calling_ae_title, a.called_ae_title, a.remote_address, a.user_identity_type, a.user_identity,
       o.association_id, o.message_id
  FROM audit.operations o
  JOIN audit.associations a USING (association_id)
 WHERE o.patient_id IS NOT NULL;

-- The same per study.
CREATE VIEW audit.study_access AS
SELECT o.study_instance_uid, o.patient_id, o.series_instance_uid, o.sop_instance_uid,
       o.service, o.direction, o.move_destination, o.status, o.status_category,
       coalesce(o.started_at, o.handled_at) AS accessed_at,
       a.calling_ae_title, a.called_ae_title, a.remote_address, a.user_identity,
       o.association_id, o.message_id
  FROM audit.operations o
  JOIN audit.associations a USING (association_id)
 WHERE o.study_instance_uid IS NOT NULL;

-- Activity per AE title and day, as the calling and as the called AE.
CREATE VIEW audit.ae_activity AS
SELECT ae_title, as_role, date_trunc('day', requested_at) AS day,
       count(*)                                        AS associations,
       count(*) FILTER (WHERE outcome = 'rejected')     AS rejected,
       count(*) FILTER (WHERE outcome = 'aborted')      AS aborted,
       sum(operation_count)::bigint                     AS operations,
       sum(failed_operation_count)::bigint              AS failed_operations,
       sum(instances_stored)::bigint                    AS instances_stored,
       sum(bytes_received)::bigint                      AS bytes_received,
       sum(bytes_sent)::bigint                          AS bytes_sent,
       count(DISTINCT remote_address)                   AS remote_addresses
  FROM (SELECT calling_ae_title AS ae_title, 'calling' AS as_role, * FROM audit.associations
        UNION ALL
        SELECT called_ae_title, 'called', * FROM audit.associations) x
 GROUP BY ae_title, as_role, date_trunc('day', requested_at);

-- Operations whose final status is a failure (PS3.7 Annex C), with who asked.
CREATE VIEW audit.failed_operations AS
SELECT o.started_at, o.service, o.status, to_hex(o.status) AS status_hex, o.error_comment,
       o.sop_class_uid, o.sop_instance_uid, o.patient_id, o.study_instance_uid,
       a.calling_ae_title, a.called_ae_title, a.remote_address, o.association_id, o.message_id
  FROM audit.operations o
  JOIN audit.associations a USING (association_id)
 WHERE o.status_category = 'failure';

CREATE VIEW audit.rejected_associations AS
SELECT association_id, requested_at, ended_at, calling_ae_title, called_ae_title, remote_address, remote_port,
       cause_result, cause_result_name, cause_source, cause_source_name, cause_reason, cause_reason_name,
       cause_initiator, cause_detail, user_identity
  FROM audit.associations
 WHERE outcome = 'rejected';

CREATE VIEW audit.aborted_associations AS
SELECT association_id, requested_at, established_at, ended_at, calling_ae_title, called_ae_title, remote_address,
       cause_source, cause_source_name, cause_reason, cause_reason_name, cause_initiator, cause_detail,
       operation_count, instances_stored
  FROM audit.associations
 WHERE outcome = 'aborted';

-- Every user identity presented in an A-ASSOCIATE-RQ (never a secret: usernames only, tokens by type).
CREATE VIEW audit.user_identities AS
SELECT user_identity_type, user_identity, calling_ae_title,
       count(*) AS associations, min(requested_at) AS first_seen, max(requested_at) AS last_seen,
       array_agg(DISTINCT remote_address) AS remote_addresses
  FROM audit.associations
 WHERE user_identity_type IS NOT NULL
 GROUP BY user_identity_type, user_identity, calling_ae_title;

CREATE VIEW audit.open_seq_findings AS
SELECT f.association_id, f.expected_seq, f.got_seq, f.got_seq - f.expected_seq AS missing, f.detected_at,
       a.calling_ae_title, a.called_ae_title, a.node_id
  FROM audit.seq_findings f
  LEFT JOIN audit.associations a USING (association_id)
 WHERE f.resolved_at IS NULL;
