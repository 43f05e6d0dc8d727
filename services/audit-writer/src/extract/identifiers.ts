/**
 * The identifiers auditors search by, pulled out of an event's params so they become plain columns: the DIMSE
 * command fields (message id, SOP class and instance, status) and, from the first data set the event carries
 * (PS3.18 F.2 DICOM JSON), patient id and name, study and series instance UIDs and accession number.
 */

type Json = Record<string, unknown>;

export interface Identifiers {
  message_id: number | null;
  sop_class_uid: string | null;
  sop_instance_uid: string | null;
  status: number | null;
  status_category: string | null;
  patient_id: string | null;
  patient_name: string | null;
  study_instance_uid: string | null;
  series_instance_uid: string | null;
  accession_number: string | null;
}

/** Data sets in the order they are looked at (PS3.7 names, as in the params). */
const DATASET_KEYS = [
  'dataset',
  'identifier',
  'attribute_list',
  'modification_list',
  'event_information',
  'action_information',
] as const;

const TAG = {
  patient_id: '00100020',
  patient_name: '00100010',
  study_instance_uid: '0020000D',
  series_instance_uid: '0020000E',
  accession_number: '00080050',
} as const;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function str(x: unknown): string | null {
  return typeof x === 'string' ? x : null;
}

function int(x: unknown): number | null {
  return typeof x === 'number' && Number.isInteger(x) ? x : null;
}

/** The first value of a DICOM JSON element as text; a PN's Alphabetic group; null when absent or empty. */
export function firstValue(dataset: Json, tag: string): string | null {
  const element = dataset[tag];
  if (!isObject(element) || !Array.isArray(element['Value'])) return null;
  const v = element['Value'][0];
  if (typeof v === 'string') return v.length > 0 ? v : null;
  if (typeof v === 'number') return String(v);
  if (isObject(v)) return str(v['Alphabetic']);
  return null;
}

function datasetsOf(params: Json): Json[] {
  const out: Json[] = [];
  for (const source of [params, isObject(params['message']) ? params['message'] : undefined]) {
    if (!source) continue;
    for (const key of DATASET_KEYS) {
      const d = source[key];
      if (isObject(d)) out.push(d);
    }
  }
  return out;
}

function pick(datasets: readonly Json[], tag: string): string | null {
  for (const d of datasets) {
    const v = firstValue(d, tag);
    if (v !== null) return v;
  }
  return null;
}

export function extractIdentifiers(params: Json): Identifiers {
  const message = isObject(params['message']) ? params['message'] : undefined;
  const command = message && isObject(message['command']) ? message['command'] : {};
  const field = (name: string): unknown => params[name] ?? command[name];
  const datasets = datasetsOf(params);
  return {
    message_id: int(field('message_id')) ?? int(field('message_id_being_responded_to')),
    sop_class_uid: str(field('affected_sop_class_uid')) ?? str(field('requested_sop_class_uid')),
    sop_instance_uid: str(field('affected_sop_instance_uid')) ?? str(field('requested_sop_instance_uid')),
    status: int(field('status')),
    status_category: str(field('status_category')),
    patient_id: pick(datasets, TAG.patient_id),
    patient_name: pick(datasets, TAG.patient_name),
    study_instance_uid: pick(datasets, TAG.study_instance_uid),
    series_instance_uid: pick(datasets, TAG.series_instance_uid),
    accession_number: pick(datasets, TAG.accession_number),
  };
}
