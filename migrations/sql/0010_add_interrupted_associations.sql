-- An association cut off by a crash of the adapter (AUDIT_DURABILITY's write-ahead log, issue 15): on restart the
-- adapter records EVT_ASSOCIATION_INTERRUPTED for every association its log shows open, and the associations
-- projection gives it the outcome 'interrupted' (ended_at = its last event before the crash, cause_detail = why).
-- The auditor views count them beside rejected and aborted ones; audit.interrupted_associations lists them.

ALTER TABLE audit.associations DROP CONSTRAINT IF EXISTS associations_outcome_check;
ALTER TABLE audit.associations
  ADD CONSTRAINT associations_outcome_check CHECK (outcome IN ('released', 'aborted', 'rejected', 'interrupted'));

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
       count(DISTINCT remote_address)                   AS remote_addresses,
       count(*) FILTER (WHERE outcome = 'interrupted')  AS interrupted
  FROM (SELECT calling_ae_title AS ae_title, 'calling' AS as_role, * FROM audit.requestor_associations
        UNION ALL
        SELECT called_ae_title, 'called', * FROM audit.requestor_associations) x
 GROUP BY ae_title, as_role, date_trunc('day', requested_at);

CREATE OR REPLACE VIEW audit.interrupted_associations AS
SELECT association_id, requested_at, established_at, ended_at, calling_ae_title, called_ae_title, remote_address,
       node_id, cause_detail, max_seq, operation_count, instances_stored, proxied_to
  FROM audit.requestor_associations
 WHERE outcome = 'interrupted';

GRANT SELECT ON audit.interrupted_associations TO dicomtrail_reader;
