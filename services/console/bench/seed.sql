-- Seeds a benchmark database with :events synthetic events (default 10,000,000) straight into audit.events and its
-- projections (audit.associations, audit.operations), with generate_series: 25 events per association
-- (connection, negotiation, five DIMSE operations of four events each, release), 100,000 patients with two studies
-- each, twenty AE titles, spread over 2026. The secondary indexes of the trail and the projections are dropped for
-- the load and built again after it (one sort per index instead of millions of inserts into each); the month
-- partitions are unlogged (a benchmark database only: reads cost the same). Run by bench/seed-database.ts, which
-- replaces :events.
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '64MB';

SELECT audit.ensure_event_partitions('2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z');
DO $$
DECLARE p text;
BEGIN
  FOR p IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = 'audit.events'::regclass LOOP
    EXECUTE format('ALTER TABLE audit.%I SET UNLOGGED', p);
  END LOOP;
END $$;

-- Index definitions of the trail and the projections (primary keys aside), kept to build again after the load.
CREATE TEMP TABLE seed_indexes AS
SELECT indexname, indexdef FROM pg_indexes
 WHERE schemaname = 'audit' AND tablename IN ('events', 'associations', 'operations') AND indexname NOT LIKE '%\_pkey';
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT indexname FROM seed_indexes LOOP
    EXECUTE format('DROP INDEX audit.%I', r.indexname);
  END LOOP;
END $$;
ALTER TABLE audit.events DROP CONSTRAINT events_pkey;

CREATE TEMP TABLE seed_params AS SELECT (:events)::bigint AS events, (:events)::bigint / 25 AS associations;

-- Per association: its kind (0-5 C-STORE, 6-7 C-FIND, 8 C-MOVE, 9 C-GET), patient, study, AE titles, start.
CREATE TEMP TABLE seed_assoc AS
SELECT a,
       md5('assoc' || a)::uuid                                          AS association_id,
       timestamptz '2026-01-01T00:00:00Z' + (a * (interval '360 days' / (SELECT associations FROM seed_params)))
                                                                         AS started_at,
       CASE WHEN a % 10 < 6 THEN 'C-STORE' WHEN a % 10 < 8 THEN 'C-FIND' WHEN a % 10 = 8 THEN 'C-MOVE' ELSE 'C-GET' END
                                                                         AS service,
       (a * 7919) % 100000                                               AS patient,
       a % 2                                                             AS study,
       'MODALITY' || (a % 20)                                            AS calling,
       CASE WHEN a % 3 = 0 THEN 'PACS_PROXY' ELSE 'ARCHIVE' END          AS called,
       '10.0.' || (a % 20) || '.' || (1 + a % 250)                       AS remote_address,
       CASE WHEN a % 3 = 0 THEN 'user' || (a % 50) END                   AS user_identity,
       CASE WHEN a % 97 = 0 THEN 'rejected' WHEN a % 89 = 0 THEN 'aborted' ELSE 'released' END AS outcome
  FROM generate_series(0, (SELECT associations FROM seed_params) - 1) AS a;

CREATE TEMP TABLE seed_names AS
SELECT i, name FROM unnest(ARRAY['SMITH','JONES','GARCIA','MULLER','ROSSI','NGUYEN','KOWALSKI','DUBOIS','SATO',
  'SILVA','JANSEN','HANSEN','COHEN','NOVAK','IVANOV','KIM']) WITH ORDINALITY AS t(name, i);

INSERT INTO audit.events (id, occurred_at, ingested_at, schema, type, kind, seq, association_id, association_role,
  calling_ae_title, called_ae_title, local_address, local_port, remote_address, remote_port, node_id, node_hostname,
  node_version, node_mode, trace_id, span_id, params, message_id, sop_class_uid, sop_instance_uid, status,
  status_category, patient_id, patient_name, study_instance_uid, series_instance_uid, accession_number,
  source_topic, source_partition, source_offset, chain_id, chain_position, prev_hash, row_hash)
SELECT md5('event' || g)::uuid,
       s.started_at + k * interval '20 milliseconds',
       s.started_at + k * interval '20 milliseconds' + interval '50 milliseconds',
       'dicomtrail.event/1',
       CASE WHEN k = 0 THEN 'EVT_CONN_OPEN' WHEN k = 1 THEN 'EVT_REQUESTED'
            WHEN k = 2 THEN CASE WHEN s.outcome = 'rejected' THEN 'EVT_REJECTED' ELSE 'EVT_ACCEPTED' END
            WHEN k = 3 THEN 'EVT_ESTABLISHED'
            WHEN k = 24 THEN CASE WHEN s.outcome = 'aborted' THEN 'EVT_ABORTED' ELSE 'EVT_RELEASED' END
            WHEN (k - 4) % 4 = 0 THEN 'EVT_DIMSE_RECV'
            WHEN (k - 4) % 4 = 1 THEN 'EVT_' || replace(s.service, '-', '_')
            WHEN (k - 4) % 4 = 2 THEN 'EVT_DIMSE_SENT'
            ELSE 'EVT_PDU_SENT' END,
       CASE WHEN k BETWEEN 4 AND 23 AND (k - 4) % 4 = 1 THEN 'intervention' ELSE 'notification' END,
       k, s.association_id, 'acceptor', s.calling, s.called, '10.1.0.1', 11112, s.remote_address, 40000 + (s.a % 20000),
       'adapter-1', 'dicom-01', '0.1.0', 'scp',
       md5('trace' || s.a), substr(md5('span' || g), 1, 16),
       '{}'::jsonb,
       CASE WHEN k BETWEEN 4 AND 23 THEN 1 + (k - 4) / 4 END,
       CASE WHEN k BETWEEN 4 AND 23 THEN '1.2.840.10008.5.1.4.1.1.2' END,
       CASE WHEN k BETWEEN 4 AND 23 AND s.service = 'C-STORE' THEN '1.2.826.0.1.3680043.10.9.' || s.a || '.' || ((k - 4) / 4) END,
       CASE WHEN k BETWEEN 4 AND 23 AND (k - 4) % 4 = 2 THEN 0 END,
       CASE WHEN k BETWEEN 4 AND 23 AND (k - 4) % 4 = 2 THEN 'success' END,
       CASE WHEN k BETWEEN 4 AND 23 THEN 'PAT' || s.patient END,
       CASE WHEN k BETWEEN 4 AND 23 THEN n.name || '^PATIENT' || s.patient END,
       CASE WHEN k BETWEEN 4 AND 23 THEN '1.2.826.0.1.3680043.10.1.' || s.patient || '.' || s.study END,
       CASE WHEN k BETWEEN 4 AND 23 AND s.service = 'C-STORE' THEN '1.2.826.0.1.3680043.10.2.' || s.patient || '.' || s.study END,
       CASE WHEN k BETWEEN 4 AND 23 THEN 'ACC' || s.patient || s.study END,
       'dicomtrail.events.v1', s.a % 3, g, 'dicomtrail.events.v1/' || (s.a % 3) || '/2026', g,
       sha256(int8send(g - 1)), sha256(int8send(g))
  FROM generate_series(0, (SELECT events FROM seed_params) - 1) AS g
  JOIN seed_assoc s ON s.a = g / 25
  CROSS JOIN LATERAL (SELECT g % 25 AS k) kk
  JOIN seed_names n ON n.i = 1 + s.patient % 16;

ALTER TABLE audit.events ADD CONSTRAINT events_pkey PRIMARY KEY (id, occurred_at);

INSERT INTO audit.associations (association_id, role, calling_ae_title, called_ae_title, local_address, local_port,
  remote_address, remote_port, node_id, node_mode, connected_at, requested_at, accepted_at, established_at, ended_at,
  closed_at, outcome, released_by, cause_result, cause_source, cause_reason, cause_result_name, cause_source_name,
  cause_reason_name, cause_initiator, user_identity_type, user_identity, first_event_at, last_event_at, event_count,
  max_seq, operation_count, failed_operation_count, instances_stored)
SELECT association_id, 'acceptor', calling, called, '10.1.0.1', 11112, remote_address, 40000 + (a % 20000),
       'adapter-1', 'scp', started_at, started_at + interval '20 ms',
       CASE WHEN outcome <> 'rejected' THEN started_at + interval '40 ms' END,
       CASE WHEN outcome <> 'rejected' THEN started_at + interval '60 ms' END,
       started_at + interval '480 ms', started_at + interval '490 ms', outcome,
       CASE WHEN outcome = 'released' THEN 'requestor' END,
       CASE WHEN outcome = 'rejected' THEN 1 END, CASE WHEN outcome = 'rejected' THEN 1 WHEN outcome = 'aborted' THEN 0 END,
       CASE WHEN outcome = 'rejected' THEN 7 WHEN outcome = 'aborted' THEN 0 END,
       CASE WHEN outcome = 'rejected' THEN 'rejected-permanent' END,
       CASE WHEN outcome = 'rejected' THEN 'service-user' WHEN outcome = 'aborted' THEN 'service-user' END,
       CASE WHEN outcome = 'rejected' THEN 'called-ae-title-not-recognized' WHEN outcome = 'aborted' THEN 'reason-not-specified' END,
       CASE WHEN outcome = 'rejected' THEN 'acceptor' WHEN outcome = 'aborted' THEN 'requestor' END,
       CASE WHEN user_identity IS NOT NULL THEN 'username' END, user_identity,
       started_at, started_at + interval '480 ms', 25, 24,
       CASE WHEN outcome = 'rejected' THEN 0 ELSE 5 END, 0,
       CASE WHEN outcome <> 'rejected' AND service = 'C-STORE' THEN 5 ELSE 0 END
  FROM seed_assoc;

INSERT INTO audit.operations (association_id, service, message_id, direction, sop_class_uid, sop_instance_uid,
  move_destination, patient_id, patient_name, study_instance_uid, series_instance_uid, accession_number, query_level,
  status, status_category, responses, completed_suboperations, failed_suboperations, started_at, handled_at, ended_at)
SELECT s.association_id, s.service, m, 'received', '1.2.840.10008.5.1.4.1.1.2',
       CASE WHEN s.service = 'C-STORE' THEN '1.2.826.0.1.3680043.10.9.' || s.a || '.' || (m - 1) END,
       CASE WHEN s.service = 'C-MOVE' THEN 'WORKSTATION' || (s.a % 5) END,
       'PAT' || s.patient, n.name || '^PATIENT' || s.patient,
       '1.2.826.0.1.3680043.10.1.' || s.patient || '.' || s.study,
       CASE WHEN s.service = 'C-STORE' THEN '1.2.826.0.1.3680043.10.2.' || s.patient || '.' || s.study END,
       'ACC' || s.patient || s.study,
       CASE WHEN s.service <> 'C-STORE' THEN 'STUDY' END,
       CASE WHEN s.a % 101 = 0 AND m = 5 THEN 42752 ELSE 0 END,
       CASE WHEN s.a % 101 = 0 AND m = 5 THEN 'failure' ELSE 'success' END,
       1,
       CASE WHEN s.service IN ('C-MOVE', 'C-GET') THEN 12 END,
       CASE WHEN s.service IN ('C-MOVE', 'C-GET') THEN 0 END,
       s.started_at + (4 + (m - 1) * 4) * interval '20 ms',
       s.started_at + (5 + (m - 1) * 4) * interval '20 ms',
       s.started_at + (6 + (m - 1) * 4) * interval '20 ms'
  FROM seed_assoc s
  CROSS JOIN generate_series(1, 5) AS m
  JOIN seed_names n ON n.i = 1 + s.patient % 16
 WHERE s.outcome <> 'rejected';

DO $$
DECLARE r record;
BEGIN
  -- pg_indexes shows a partitioned table's index as CREATE INDEX ... ON ONLY, which would skip the partitions.
  FOR r IN SELECT indexdef FROM seed_indexes LOOP
    EXECUTE replace(r.indexdef, ' ON ONLY ', ' ON ');
  END LOOP;
END $$;

ANALYZE audit.events;
ANALYZE audit.associations;
ANALYZE audit.operations;
