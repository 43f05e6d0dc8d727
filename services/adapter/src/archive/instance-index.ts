/**
 * The archive's index of stored instances: an in-process tree Patient → Study → Series → Instance
 * (PS3.4 §C.6 information models), each node holding its own level's attributes, with one map per level
 * from unique key to node so that UID keys are looked up directly instead of scanned.
 * Pure in-memory: durability is the journal's job (index-journal.ts), the files' job at start-up.
 *
 * Queries walk the tree from the top (or from the deepest level whose unique key is given as a UID list),
 * match each level's keys at that level (so a patient that does not match prunes all its studies), and
 * yield lazily: the first result goes out before the rest are found, and a C-CANCEL stops the walk.
 */
import type { DicomJson } from '../dataset/dicom-json.js';
import {
  DERIVED,
  LEVEL_ATTRIBUTES,
  pick,
  QUERY_LEVELS,
  type QueryLevel,
  Tag,
  UNIQUE_KEY,
} from './attributes.js';
import { isUniversal, matchDataset, project } from './matching.js';

/** One stored instance as the index records it (also one journal line). */
export interface IndexedInstance {
  /** The Part 10 file. */
  path: string;
  transferSyntax: string;
  /** The indexed attributes of every level (attributes.ts INDEXED_TAGS). */
  attributes: DicomJson;
}

interface Node {
  level: QueryLevel;
  key: string;
  attrs: DicomJson;
  parent: Node | undefined;
  children: Map<string, Node>;
  /** Instances below (1 for an instance). */
  count: number;
  /** Instance nodes only. */
  file?: { path: string; transferSyntax: string; sopClassUid: string };
}

/** What a retrieve sends: one instance's file, SOP class and transfer syntax. */
export interface StoredInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  path: string;
  transferSyntax: string;
}

const NOT_MATCHED = new Set<string>([
  Tag.QueryRetrieveLevel,
  Tag.SpecificCharacterSet,
  Tag.RetrieveAETitle,
  '00080056', // InstanceAvailability
  '00080201', // TimezoneOffsetFromUTC
]);

const LEVEL_OF = new Map<string, QueryLevel>();
for (const l of QUERY_LEVELS) for (const t of [...LEVEL_ATTRIBUTES[l], ...DERIVED[l]]) LEVEL_OF.set(t, l);
LEVEL_OF.set(Tag.PatientID, 'PATIENT');

function text(json: DicomJson, tag: string): string {
  const v = json[tag]?.Value?.[0];
  return typeof v === 'string' ? v.trim() : v === undefined ? '' : String(v);
}

function depth(l: QueryLevel): number {
  return QUERY_LEVELS.indexOf(l);
}

export class InstanceIndex {
  readonly #byLevel: Record<QueryLevel, Map<string, Node>> = {
    PATIENT: new Map(),
    STUDY: new Map(),
    SERIES: new Map(),
    IMAGE: new Map(),
  };

  /** Number of indexed instances. */
  get size(): number {
    return this.#byLevel.IMAGE.size;
  }

  counts(): Record<QueryLevel, number> {
    return {
      PATIENT: this.#byLevel.PATIENT.size,
      STUDY: this.#byLevel.STUDY.size,
      SERIES: this.#byLevel.SERIES.size,
      IMAGE: this.#byLevel.IMAGE.size,
    };
  }

  /** Adds (or replaces) an instance; false when it lacks a Study, Series or SOP Instance UID. */
  add(inst: IndexedInstance): boolean {
    const a = inst.attributes;
    const [patientId = '', studyUid, seriesUid, sopUid] = QUERY_LEVELS.map((l) => text(a, UNIQUE_KEY[l]));
    if (!studyUid || !seriesUid || !sopUid) return false;
    this.remove(sopUid);
    // A study or series already filed (under another patient or study) stays where it is.
    let series = this.#byLevel.SERIES.get(seriesUid);
    if (!series) {
      const study =
        this.#byLevel.STUDY.get(studyUid) ??
        this.#create(
          'STUDY',
          studyUid,
          this.#byLevel.PATIENT.get(patientId) ?? this.#create('PATIENT', patientId, undefined),
        );
      series = this.#create('SERIES', seriesUid, study);
    }
    const leaf = this.#create('IMAGE', sopUid, series);
    leaf.file = {
      path: inst.path,
      transferSyntax: inst.transferSyntax,
      sopClassUid: text(a, Tag.SOPClassUID),
    };
    for (let n: Node | undefined = leaf; n; n = n.parent) {
      n.count++;
      Object.assign(n.attrs, pick(a, LEVEL_ATTRIBUTES[n.level]));
    }
    return true;
  }

  #create(level: QueryLevel, key: string, parent: Node | undefined): Node {
    const node: Node = { level, key, attrs: {}, parent, children: new Map(), count: 0 };
    this.#byLevel[level].set(key, node);
    parent?.children.set(key, node);
    return node;
  }

  remove(sopInstanceUid: string): boolean {
    const leaf = this.#byLevel.IMAGE.get(sopInstanceUid);
    if (!leaf) return false;
    let node: Node | undefined = leaf;
    while (node) {
      node.count--;
      const up: Node | undefined = node.parent;
      if (node.count <= 0) {
        this.#byLevel[node.level].delete(node.key);
        up?.children.delete(node.key);
      }
      node = up;
    }
    return true;
  }

  has(sopInstanceUid: string): boolean {
    return this.#byLevel.IMAGE.has(sopInstanceUid);
  }

  /** The stored instance with this SOP Instance UID. */
  get(sopInstanceUid: string): StoredInstance | undefined {
    const n = this.#byLevel.IMAGE.get(sopInstanceUid);
    return n?.file ? { sopInstanceUid, ...n.file } : undefined;
  }

  /** The file of every indexed instance. */
  *paths(): Generator<string> {
    for (const leaf of this.#byLevel.IMAGE.values()) yield leaf.file!.path;
  }

  /** Every indexed instance, as journal records. */
  *instances(): Generator<IndexedInstance> {
    for (const leaf of this.#byLevel.IMAGE.values()) {
      const attributes: DicomJson = {};
      for (let n: Node | undefined = leaf; n; n = n.parent) Object.assign(attributes, n.attrs);
      yield { path: leaf.file!.path, transferSyntax: leaf.file!.transferSyntax, attributes };
    }
  }

  /** C-FIND: the response identifiers at `level`, lazily, one per matching entity. */
  *find(level: QueryLevel, query: DicomJson, opts: { retrieveAeTitle?: string } = {}): Generator<DicomJson> {
    for (const node of this.#nodes(level, query)) {
      const view: DicomJson = {};
      const chain: Node[] = [];
      for (let n: Node | undefined = node; n; n = n.parent) chain.unshift(n);
      for (const n of chain) {
        Object.assign(view, n.attrs);
        if (DERIVED[n.level].some((t) => t in query)) Object.assign(view, derived(n));
      }
      const out = project(query, view);
      out[Tag.QueryRetrieveLevel] = { vr: 'CS', Value: [level] };
      if (Tag.RetrieveAETitle in query && opts.retrieveAeTitle)
        out[Tag.RetrieveAETitle] = { vr: 'AE', Value: [opts.retrieveAeTitle] };
      if (Tag.SpecificCharacterSet in query) delete out[Tag.SpecificCharacterSet];
      yield out;
    }
  }

  /** Keys of `query` this index does not match on (not universal, not an indexed attribute). */
  unsupportedKeys(query: DicomJson): string[] {
    return Object.keys(query).filter(
      (t) => !NOT_MATCHED.has(t) && !LEVEL_OF.has(t) && !isUniversal(query[t]!),
    );
  }

  /** C-GET/C-MOVE: every instance below the entities matching `query` at `level`. */
  retrieve(level: QueryLevel, query: DicomJson): StoredInstance[] {
    const out: StoredInstance[] = [];
    const collect = (n: Node): void => {
      if (n.file) out.push({ sopInstanceUid: n.key, ...n.file });
      else for (const c of n.children.values()) collect(c);
    };
    for (const n of this.#nodes(level, query)) collect(n);
    return out;
  }

  /** The nodes at `level` matching `query`: keys split by level, matched top-down. */
  *#nodes(level: QueryLevel, query: DicomJson): Generator<Node> {
    const top = depth(level);
    const keys: DicomJson[] = QUERY_LEVELS.map(() => ({}));
    for (const tag in query) {
      const l = LEVEL_OF.get(tag);
      if (NOT_MATCHED.has(tag) || l === undefined || depth(l) > top) continue;
      // In the Study Root model patient attributes are study attributes: matched at the patient node all the same.
      keys[depth(l)]![tag] = query[tag]!;
    }
    // Start from the deepest level (≤ target) whose unique key lists UIDs: direct lookups, ancestors checked.
    let start = 0;
    let uids: string[] | undefined;
    for (let d = 1; d <= top; d++) {
      const el = keys[d]![UNIQUE_KEY[QUERY_LEVELS[d]!]];
      if (el && !isUniversal(el)) {
        start = d;
        uids = [...new Set((el.Value ?? []).map((v) => String(v).trim()))];
      }
    }
    const ancestorsOk = new Map<Node, boolean>();
    const matchesUp = (n: Node | undefined): boolean => {
      if (!n) return true;
      let ok = ancestorsOk.get(n);
      if (ok === undefined) {
        ok =
          matchDataset(keys[depth(n.level)]!, withDerived(n, keys[depth(n.level)]!)) && matchesUp(n.parent);
        ancestorsOk.set(n, ok);
      }
      return ok;
    };
    const startNodes: Iterable<Node> = uids
      ? uids.map((u) => this.#byLevel[QUERY_LEVELS[start]!].get(u)).filter((n): n is Node => n !== undefined)
      : this.#byLevel.PATIENT.values();
    for (const n of startNodes) {
      if (uids && !matchesUp(n.parent)) continue;
      yield* descend(n, top, keys);
    }
  }
}

function withDerived(n: Node, keys: DicomJson): DicomJson {
  return DERIVED[n.level].some((t) => t in keys) ? { ...n.attrs, ...derived(n) } : n.attrs;
}

function* descend(n: Node, top: number, keys: DicomJson[]): Generator<Node> {
  const d = depth(n.level);
  if (!matchDataset(keys[d]!, withDerived(n, keys[d]!))) return;
  if (d === top) {
    yield n;
    return;
  }
  for (const c of n.children.values()) yield* descend(c, top, keys);
}

function distinct(values: Iterable<string>): string[] {
  return [...new Set([...values].filter((v) => v.length > 0))];
}

/** The derived attributes of a node (counts, modalities and SOP classes in study). */
function derived(n: Node): DicomJson {
  const series = (x: Node): Node[] =>
    x.level === 'SERIES' ? [x] : [...x.children.values()].flatMap((c) => series(c));
  switch (n.level) {
    case 'PATIENT':
      return {
        [Tag.NumberOfPatientRelatedStudies]: { vr: 'IS', Value: [n.children.size] },
        [Tag.NumberOfPatientRelatedSeries]: { vr: 'IS', Value: [series(n).length] },
        [Tag.NumberOfPatientRelatedInstances]: { vr: 'IS', Value: [n.count] },
      };
    case 'STUDY': {
      const ss = [...n.children.values()];
      const instances = ss.flatMap((s) => [...s.children.values()]);
      return {
        [Tag.ModalitiesInStudy]: { vr: 'CS', Value: distinct(ss.map((s) => text(s.attrs, Tag.Modality))) },
        [Tag.SOPClassesInStudy]: {
          vr: 'UI',
          Value: distinct(instances.map((i) => i.file?.sopClassUid ?? '')),
        },
        [Tag.NumberOfStudyRelatedSeries]: { vr: 'IS', Value: [ss.length] },
        [Tag.NumberOfStudyRelatedInstances]: { vr: 'IS', Value: [n.count] },
      };
    }
    case 'SERIES':
      return { [Tag.NumberOfSeriesRelatedInstances]: { vr: 'IS', Value: [n.count] } };
    default:
      return {};
  }
}
