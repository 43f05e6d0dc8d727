/**
 * Every DIMSE operation that touched one patient's instances in a period: operations naming the patient id, and
 * operations on any study the trail has seen for that patient (a study-level C-MOVE names only the study). A
 * proxy's upstream leg is not counted twice: the requestor's leg is, with the PACS it was relayed to. Each half
 * of the UNION uses its own index (operations_patient, operations_study); see migrations 0012.
 */
import type pg from 'pg';
import type { AccessRow } from '../disclosure-accounting.js';

export const REPORT_ROW_LIMIT = 20_000;

export const PATIENT_REPORT_SQL = `
WITH studies AS (
  SELECT DISTINCT study_instance_uid FROM audit.operations
   WHERE patient_id = $1 AND study_instance_uid IS NOT NULL
), hits AS (
  SELECT association_id, service, message_id FROM audit.operations WHERE patient_id = $1
  UNION
  SELECT o.association_id, o.service, o.message_id FROM audit.operations o JOIN studies s USING (study_instance_uid)
)
SELECT coalesce(o.started_at, o.handled_at) AS at, o.association_id, a.parent_association_id, a.role, o.service,
       o.direction, o.sop_class_uid, o.sop_instance_uid, o.series_instance_uid, o.study_instance_uid, o.patient_id,
       o.patient_name, o.accession_number, o.move_destination, o.query_level, o.status_category,
       o.completed_suboperations, o.failed_suboperations, a.calling_ae_title, a.called_ae_title, a.remote_address,
       a.user_identity,
       CASE WHEN u.association_id IS NOT NULL THEN u.called_ae_title || '@' || u.remote_address || ':' || u.remote_port END
         AS proxied_to
  FROM hits h
  JOIN audit.operations o USING (association_id, service, message_id)
  JOIN audit.associations a USING (association_id)
  LEFT JOIN audit.associations u
         ON u.parent_association_id = a.association_id AND u.node_mode = 'proxy' AND u.role = 'requestor'
 WHERE coalesce(o.started_at, o.handled_at) >= $2 AND coalesce(o.started_at, o.handled_at) < $3
   AND (a.node_mode IS DISTINCT FROM 'proxy' OR a.role = 'acceptor')
 ORDER BY 1, o.association_id, o.message_id
 LIMIT ${REPORT_ROW_LIMIT + 1}`;

export interface Period {
  from: Date;
  to: Date;
}

export async function patientAccessRows(db: pg.Pool, patientId: string, period: Period) {
  const { rows } = await db.query<AccessRow>(PATIENT_REPORT_SQL, [patientId, period.from, period.to]);
  return { rows: rows.slice(0, REPORT_ROW_LIMIT), truncated: rows.length > REPORT_ROW_LIMIT };
}

export interface PatientMatch {
  patient_id: string;
  patient_name: string | null;
  operations: number;
  last_seen: Date;
}

/** Patients whose name contains the text (case-insensitive; trigram index operations_patient_name_trgm). */
export async function patientsByName(db: pg.Pool, name: string, limit = 50): Promise<PatientMatch[]> {
  const pattern = `%${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const { rows } = await db.query<PatientMatch>(
    `SELECT patient_id, min(patient_name) AS patient_name, count(*)::int AS operations,
            max(coalesce(started_at, handled_at)) AS last_seen
       FROM audit.operations
      WHERE patient_name ILIKE $1 AND patient_id IS NOT NULL
      GROUP BY patient_id ORDER BY patient_id LIMIT $2`,
    [pattern, limit],
  );
  return rows;
}
