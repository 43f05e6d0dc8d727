-- Proxy mode (the adapter as a transparent audit proxy in front of a PACS) records two associations for one
-- exchange: the one the requestor opened (role acceptor) and the one the proxy opened upstream on its behalf
-- (role requestor, parent = the first), both from a node in mode 'proxy'. The associations projection keeps the
-- node mode; the auditor views count a proxied exchange once, on the leg the requestor opened, and say where it
-- was relayed (`proxied_to`); audit.proxied_associations pairs the two legs.

ALTER TABLE audit.associations ADD COLUMN node_mode text;

UPDATE audit.associations a
   SET node_mode = e.node_mode
  FROM (SELECT DISTINCT ON (association_id) association_id, node_mode
          FROM audit.events
         WHERE association_id IS NOT NULL
         ORDER BY association_id, seq) e
 WHERE e.association_id = a.association_id;

-- Every association that is not a proxy's upstream leg: what the auditor views count.
CREATE VIEW audit.requestor_associations AS
SELECT a.*,
       CASE WHEN u.association_id IS NOT NULL
            THEN u.called_ae_title || '@' || u.remote_address || ':' || u.remote_port END AS proxied_to
  FROM audit.associations a
  LEFT JOIN audit.associations u
         ON u.parent_association_id = a.association_id AND u.node_mode = 'proxy' AND u.role = 'requestor'
 WHERE a.node_mode IS DISTINCT FROM 'proxy' OR a.role = 'acceptor';

CREATE VIEW audit.proxied_associations AS
SELECT d.association_id, d.requested_at, d.ended_at, d.calling_ae_title, d.called_ae_title,
       d.remote_address AS requestor_address, d.remote_port AS requestor_port, d.user_identity,
       d.outcome, d.cause_reason_name, d.cause_detail, d.operation_count, d.failed_operation_count,
       d.instances_stored, d.bytes_received, d.bytes_sent,
       u.association_id AS upstream_association_id, u.called_ae_title AS upstream_ae_title,
       u.remote_address AS upstream_address, u.remote_port AS upstream_port,
       u.outcome AS upstream_outcome, u.cause_initiator AS upstream_cause_initiator,
       u.cause_reason_name AS upstream_cause_reason_name, u.cause_detail AS upstream_cause_detail
  FROM audit.associations d
  LEFT JOIN audit.associations u
         ON u.parent_association_id = d.association_id AND u.node_mode = 'proxy' AND u.role = 'requestor'
 WHERE d.node_mode = 'proxy' AND d.role = 'acceptor';

CREATE OR REPLACE VIEW audit.patient_access AS
SELECT o.patient_id, o.patient_name, o.study_instance_uid, o.series_instance_uid, o.sop_instance_uid,
       o.service, o.direction, o.status, o.status_category,
       coalesce(o.started_at, o.handled_at) AS accessed_at,
       a.calling_ae_title, a.called_ae_title, a.remote_address, a.user_identity_type, a.user_identity,
       o.association_id, o.message_id, a.proxied_to
  FROM audit.operations o
  JOIN audit.requestor_associations a USING (association_id)
 WHERE o.patient_id IS NOT NULL;

CREATE OR REPLACE VIEW audit.study_access AS
SELECT o.study_instance_uid, o.patient_id, o.series_instance_uid, o.sop_instance_uid,
       o.service, o.direction, o.move_destination, o.status, o.status_category,
       coalesce(o.started_at, o.handled_at) AS accessed_at,
       a.calling_ae_title, a.called_ae_title, a.remote_address, a.user_identity,
       o.association_id, o.message_id, a.proxied_to
  FROM audit.operations o
  JOIN audit.requestor_associations a USING (association_id)
 WHERE o.study_instance_uid IS NOT NULL;

CREATE OR REPLACE VIEW audit.ae_activity AS
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
  FROM (SELECT calling_ae_title AS ae_title, 'calling' AS as_role, * FROM audit.requestor_associations
        UNION ALL
        SELECT called_ae_title, 'called', * FROM audit.requestor_associations) x
 GROUP BY ae_title, as_role, date_trunc('day', requested_at);

CREATE OR REPLACE VIEW audit.failed_operations AS
SELECT o.started_at, o.service, o.status, to_hex(o.status) AS status_hex, o.error_comment,
       o.sop_class_uid, o.sop_instance_uid, o.patient_id, o.study_instance_uid,
       a.calling_ae_title, a.called_ae_title, a.remote_address, o.association_id, o.message_id, a.proxied_to
  FROM audit.operations o
  JOIN audit.requestor_associations a USING (association_id)
 WHERE o.status_category = 'failure';

CREATE OR REPLACE VIEW audit.rejected_associations AS
SELECT association_id, requested_at, ended_at, calling_ae_title, called_ae_title, remote_address, remote_port,
       cause_result, cause_result_name, cause_source, cause_source_name, cause_reason, cause_reason_name,
       cause_initiator, cause_detail, user_identity
  FROM audit.requestor_associations
 WHERE outcome = 'rejected';

CREATE OR REPLACE VIEW audit.aborted_associations AS
SELECT association_id, requested_at, established_at, ended_at, calling_ae_title, called_ae_title, remote_address,
       cause_source, cause_source_name, cause_reason, cause_reason_name, cause_initiator, cause_detail,
       operation_count, instances_stored
  FROM audit.requestor_associations
 WHERE outcome = 'aborted';

CREATE OR REPLACE VIEW audit.user_identities AS
SELECT user_identity_type, user_identity, calling_ae_title,
       count(*) AS associations, min(requested_at) AS first_seen, max(requested_at) AS last_seen,
       array_agg(DISTINCT remote_address) AS remote_addresses
  FROM audit.requestor_associations
 WHERE user_identity_type IS NOT NULL
 GROUP BY user_identity_type, user_identity, calling_ae_title;

GRANT SELECT ON audit.requestor_associations, audit.proxied_associations TO dicomtrail_reader;
