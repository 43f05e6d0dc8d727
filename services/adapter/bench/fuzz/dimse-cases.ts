/**
 * Mutated DIMSE messages for the fuzzer (pure: a seed in, bytes out). Each case starts from a valid request of
 * one service (C-ECHO, C-STORE with its data set, C-FIND/C-GET/C-MOVE with an identifier, C-CANCEL, the six
 * DIMSE-N services with their attribute lists), held as a list of elements, then mutated at the element level
 * (values, lengths that lie, VRs, dropped/duplicated/unsorted/foreign elements, deep sequences, hostile strings)
 * and sometimes at the byte level (flips, truncation). The command set is Implicit VR Little Endian as PS3.7
 * says; the data set is in the context's transfer syntax (implicit or explicit VR LE). PDV-level mutations
 * (wrong context, flags, missing or unexpected data set, fragments) are chosen here too; the peer applies them.
 */

import { LONG_LENGTH_VRS } from '../../src/dataset/value-representations.js';

/** Seeded PRNG (mulberry32): the same seed gives the same cases. */
export class Prng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    this.#s = (this.#s + 0x6d2b79f5) >>> 0;
    let t = this.#s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

export const SOP = {
  VERIFICATION: '1.2.840.10008.1.1',
  SECONDARY_CAPTURE: '1.2.840.10008.5.1.4.1.1.7',
  CT: '1.2.840.10008.5.1.4.1.1.2',
  STUDY_FIND: '1.2.840.10008.5.1.4.1.2.2.1',
  PATIENT_FIND: '1.2.840.10008.5.1.4.1.2.1.1',
  STUDY_MOVE: '1.2.840.10008.5.1.4.1.2.2.2',
  STUDY_GET: '1.2.840.10008.5.1.4.1.2.2.3',
  WORKLIST_FIND: '1.2.840.10008.5.1.4.31',
  MPPS: '1.2.840.10008.3.1.2.3.3',
  COMMITMENT: '1.2.840.10008.1.20.1',
} as const;
const COMMITMENT_INSTANCE = '1.2.840.10008.1.20.1.1';

export const TS = { IMPLICIT: '1.2.840.10008.1.2', EXPLICIT: '1.2.840.10008.1.2.1' } as const;

/** One element: tag as 0xGGGGEEEE, VR (used in explicit VR data sets), value, optional lying length. */
export interface Element {
  tag: number;
  vr: string;
  value: Buffer;
  /** Encoded length instead of value.length (a lie). */
  length?: number;
  /** SQ items (each a list of elements), encoded with undefined lengths. */
  items?: Element[][];
}

export type Service =
  | 'C-ECHO'
  | 'C-STORE'
  | 'C-FIND'
  | 'C-GET'
  | 'C-MOVE'
  | 'C-CANCEL'
  | 'N-CREATE'
  | 'N-SET'
  | 'N-GET'
  | 'N-ACTION'
  | 'N-DELETE'
  | 'N-EVENT-REPORT';

const COMMAND_FIELD: Record<Service, number> = {
  'C-STORE': 0x0001,
  'C-GET': 0x0010,
  'C-FIND': 0x0020,
  'C-MOVE': 0x0021,
  'C-ECHO': 0x0030,
  'N-EVENT-REPORT': 0x0100,
  'N-GET': 0x0110,
  'N-SET': 0x0120,
  'N-ACTION': 0x0130,
  'N-CREATE': 0x0140,
  'N-DELETE': 0x0150,
  'C-CANCEL': 0x0fff,
};

export interface FuzzCase {
  index: number;
  service: Service;
  /** Abstract syntax whose context carries the message (the peer maps it to an accepted context id). */
  sopClass: string;
  /** Explicit VR LE data set (else implicit). */
  explicit: boolean;
  command: Buffer;
  dataset?: Buffer;
  /** PDV-level mutation the peer applies. */
  pdv: 'none' | 'unknown-context' | 'swap-flags' | 'dataset-first' | 'no-dataset' | 'tiny-fragments';
  /** What was mutated, for a failure report. */
  mutations: string[];
}

const HOSTILE_STRINGS = [
  '',
  '*',
  '?',
  // A few wildcards; the pathological 25-wildcard pattern (catastrophic backtracking in the C-FIND matcher)
  // has its own test with the linear matcher, and would stall every run here until then.
  '*a*a*a*b',
  `${'?'.repeat(64)}`,
  '..',
  '../../../../etc/passwd',
  '\u0000',
  'A\u0000B',
  '\\u0000',
  '\\\\\\',
  '20240101-20231231',
  '-',
  '19000101-',
  'é中文\u202e',
  'x'.repeat(1024),
  '1.2.3\\4.5.6\\7.8.9',
  '=^^^^',
  '\r\n\t\u001b[2J',
  '9'.repeat(70),
  '0.0',
  '.1.',
];

const VRS = [
  'AE',
  'CS',
  'DA',
  'LO',
  'LT',
  'OB',
  'PN',
  'SH',
  'SQ',
  'TM',
  'UI',
  'UL',
  'US',
  'UN',
  'ZZ',
  '\u0000\u0000',
];

const str = (s: string, pad = ' '): Buffer => {
  const b = Buffer.from(s, 'latin1');
  return b.length % 2 === 0 ? b : Buffer.concat([b, Buffer.from(pad, 'latin1')]);
};
const uid = (s: string) => str(s, '\u0000');
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
};
const ul = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const el = (tag: number, vr: string, value: Buffer): Element => ({ tag, vr, value });

function randomUid(r: Prng): string {
  return `1.2.826.0.1.3680043.10.1386.9.${r.int(1000)}.${r.int(1_000_000)}`;
}

function identifier(r: Prng, service: Service, sopClass: string): Element[] {
  if (sopClass === SOP.WORKLIST_FIND) {
    return [
      el(0x00100010, 'PN', str(r.pick(['', 'Doe*', '*']))),
      el(0x00100020, 'LO', str('')),
      {
        tag: 0x00400100,
        vr: 'SQ',
        value: Buffer.alloc(0),
        items: [
          [
            el(0x00080060, 'CS', str(r.pick(['CT', '', 'MR']))),
            el(0x00400002, 'DA', str(r.pick(['', '20240101-20241231']))),
          ],
        ],
      },
    ];
  }
  const level = r.pick(['PATIENT', 'STUDY', 'SERIES', 'IMAGE']);
  const els = [
    el(0x00080052, 'CS', str(level)),
    el(0x00100010, 'PN', str(r.pick(['', 'Doe*', '*', 'Doe^Jane']))),
    el(0x00100020, 'LO', str(r.pick(['', 'PID*', 'PID-1']))),
    el(0x0020000d, 'UI', uid(r.chance(0.5) ? '' : randomUid(r))),
  ];
  if (level !== 'PATIENT' && level !== 'STUDY') els.push(el(0x0020000e, 'UI', uid('')));
  if (level === 'IMAGE') els.push(el(0x00080018, 'UI', uid('')));
  if (service === 'C-FIND') {
    els.push(el(0x00080020, 'DA', str(r.pick(['', '20240101-20241231', '20240101']))));
    els.push(el(0x00080061, 'CS', str('')));
  }
  return els.sort((a, b) => a.tag - b.tag);
}

function storeDataset(r: Prng, sopClass: string, instance: string): Element[] {
  const els = [
    el(0x00080016, 'UI', uid(sopClass)),
    el(0x00080018, 'UI', uid(instance)),
    el(0x00080020, 'DA', str('20240102')),
    el(0x00080060, 'CS', str('OT')),
    el(0x00100010, 'PN', str('Fuzz^Patient')),
    el(0x00100020, 'LO', str(`PID-${r.int(100)}`)),
    el(0x0020000d, 'UI', uid(randomUid(r))),
    el(0x0020000e, 'UI', uid(randomUid(r))),
    el(0x00280010, 'US', us(2)),
    el(0x00280011, 'US', us(2)),
    el(0x7fe00010, 'OB', Buffer.alloc(4)),
  ];
  if (r.chance(0.03)) els.push(el(0x00104000, 'LT', str('x'.repeat(r.int(300_000)))));
  return els.sort((a, b) => a.tag - b.tag);
}

function mppsAttributes(r: Prng): Element[] {
  return [
    el(0x00080060, 'CS', str('CT')),
    el(0x00100010, 'PN', str('Fuzz^Mpps')),
    el(0x00400252, 'CS', str(r.pick(['IN PROGRESS', 'COMPLETED', 'DISCONTINUED', 'BOGUS']))),
    {
      tag: 0x00400270,
      vr: 'SQ',
      value: Buffer.alloc(0),
      items: [[el(0x0020000d, 'UI', uid(randomUid(r)))]],
    },
  ];
}

function commitmentRequest(r: Prng): Element[] {
  return [
    el(0x00081195, 'UI', uid(randomUid(r))),
    {
      tag: 0x00081199,
      vr: 'SQ',
      value: Buffer.alloc(0),
      items: [[el(0x00081150, 'UI', uid(SOP.CT)), el(0x00081155, 'UI', uid(randomUid(r)))]],
    },
  ];
}

/** A DIMSE-N request's command set: class tag (0000,0002) or (0000,0003), instance tag (0000,1000) or (0000,1001). */
function nCommand(
  service: Service,
  sopClass: string,
  messageId: number,
  tags: { classTag: number; instanceTag: number; instance: string },
  dataset: boolean,
  extra: Element[] = [],
): Element[] {
  return [
    el(tags.classTag, 'UI', uid(sopClass)),
    el(0x00000100, 'US', us(COMMAND_FIELD[service])),
    el(0x00000110, 'US', us(messageId)),
    el(0x00000800, 'US', us(dataset ? 0x0001 : 0x0101)),
    el(tags.instanceTag, 'UI', uid(tags.instance)),
    ...extra,
  ];
}

interface Template {
  service: Service;
  sopClass: string;
  command: Element[];
  dataset?: Element[];
}

function template(r: Prng, messageId: number): Template {
  const service = r.pick<Service>([
    'C-ECHO',
    'C-STORE',
    'C-STORE',
    'C-FIND',
    'C-FIND',
    'C-FIND',
    'C-GET',
    'C-MOVE',
    'C-CANCEL',
    'N-CREATE',
    'N-SET',
    'N-GET',
    'N-ACTION',
    'N-DELETE',
    'N-EVENT-REPORT',
  ]);
  const cmd = (sopClass: string, extra: Element[], dataset: boolean): Element[] => [
    el(0x00000002, 'UI', uid(sopClass)),
    el(0x00000100, 'US', us(COMMAND_FIELD[service])),
    el(0x00000110, 'US', us(messageId)),
    ...extra,
    el(0x00000800, 'US', us(dataset ? 0x0001 : 0x0101)),
  ];
  switch (service) {
    case 'C-ECHO':
      return { service, sopClass: SOP.VERIFICATION, command: cmd(SOP.VERIFICATION, [], false) };
    case 'C-STORE': {
      const sopClass = r.pick([SOP.SECONDARY_CAPTURE, SOP.CT]);
      const instance = randomUid(r);
      return {
        service,
        sopClass,
        command: [...cmd(sopClass, [el(0x00000700, 'US', us(0))], true), el(0x00001000, 'UI', uid(instance))],
        dataset: storeDataset(r, sopClass, instance),
      };
    }
    case 'C-FIND':
    case 'C-GET':
    case 'C-MOVE': {
      const sopClass =
        service === 'C-FIND'
          ? r.pick([SOP.STUDY_FIND, SOP.PATIENT_FIND, SOP.WORKLIST_FIND])
          : service === 'C-GET'
            ? SOP.STUDY_GET
            : SOP.STUDY_MOVE;
      const extra = [el(0x00000700, 'US', us(0))];
      if (service === 'C-MOVE') extra.push(el(0x00000600, 'AE', str(r.pick(['FUZZDEST', 'NOWHERE', '']))));
      return {
        service,
        sopClass,
        command: cmd(sopClass, extra, true),
        dataset: identifier(r, service, sopClass),
      };
    }
    case 'C-CANCEL':
      return {
        service,
        sopClass: SOP.STUDY_FIND,
        command: [
          el(0x00000100, 'US', us(0x0fff)),
          el(0x00000120, 'US', us(messageId - 1)),
          el(0x00000800, 'US', us(0x0101)),
        ],
      };
    case 'N-CREATE':
    case 'N-SET': {
      const create = service === 'N-CREATE';
      return {
        service,
        sopClass: SOP.MPPS,
        command: nCommand(
          service,
          SOP.MPPS,
          messageId,
          {
            classTag: create ? 0x00000002 : 0x00000003,
            instanceTag: create ? 0x00001000 : 0x00001001,
            instance: randomUid(r),
          },
          true,
        ),
        dataset: mppsAttributes(r),
      };
    }
    case 'N-GET':
    case 'N-DELETE':
      return {
        service,
        sopClass: SOP.MPPS,
        command: nCommand(
          service,
          SOP.MPPS,
          messageId,
          { classTag: 0x00000003, instanceTag: 0x00001001, instance: randomUid(r) },
          false,
          service === 'N-GET'
            ? [el(0x00001005, 'AT', Buffer.from([0x10, 0x00, 0x10, 0x00, 0x40, 0x00, 0x52, 0x02]))]
            : [],
        ),
      };
    case 'N-ACTION':
      return {
        service,
        sopClass: SOP.COMMITMENT,
        command: nCommand(
          service,
          SOP.COMMITMENT,
          messageId,
          { classTag: 0x00000003, instanceTag: 0x00001001, instance: COMMITMENT_INSTANCE },
          true,
          [el(0x00001008, 'US', us(r.chance(0.9) ? 1 : r.int(65536)))],
        ),
        dataset: commitmentRequest(r),
      };
    case 'N-EVENT-REPORT':
      return {
        service,
        sopClass: SOP.MPPS,
        command: nCommand(
          service,
          SOP.MPPS,
          messageId,
          { classTag: 0x00000002, instanceTag: 0x00001000, instance: randomUid(r) },
          true,
          [el(0x00001002, 'US', us(r.int(8)))],
        ),
        dataset: mppsAttributes(r),
      };
  }
}

/** One element-level mutation of a list (in place); returns its name. */
function mutateElements(r: Prng, els: Element[], inCommand: boolean): string {
  if (els.length === 0) {
    els.push(el(r.int(0x10000) * 0x10000 + r.int(0x10000), r.pick(VRS), r.bytes(r.int(16))));
    return 'insert-into-empty';
  }
  const i = r.int(els.length);
  const target = els[i]!;
  switch (r.int(13)) {
    case 0:
      els.splice(i, 1);
      return `drop ${hexTag(target.tag)}`;
    case 1:
      els.splice(i, 0, { ...target, value: Buffer.from(target.value) });
      return `duplicate ${hexTag(target.tag)}`;
    case 2: {
      const j = r.int(els.length);
      [els[i], els[j]] = [els[j]!, els[i]!];
      return 'unsort';
    }
    case 3:
      target.value = r.bytes(r.pick([0, 1, 2, 3, 4, 7, 64, 1000]));
      return `random value ${hexTag(target.tag)}`;
    case 4:
      target.value = str(r.pick(HOSTILE_STRINGS));
      return `hostile string ${hexTag(target.tag)}`;
    case 5:
      target.length = r.pick([
        0,
        1,
        3,
        target.value.length + 2,
        target.value.length + 1000,
        0xfffffffe,
        0xffffffff,
      ]);
      return `length lie ${hexTag(target.tag)}=${target.length}`;
    case 6:
      target.vr = r.pick(VRS);
      return `vr ${hexTag(target.tag)}=${JSON.stringify(target.vr)}`;
    case 7: {
      const group = inCommand
        ? r.pick([0x0000, 0x0008, 0xfffe])
        : r.pick([0x0000, 0x0002, 0x0009, 0x7fe0, 0xfffe, 0xffff]);
      const tag = group * 0x10000 + r.int(0x10000);
      els.splice(i, 0, el(tag, r.pick(VRS), r.bytes(r.int(32))));
      return `insert ${hexTag(tag)}`;
    }
    case 8: {
      const depth = r.pick([2, 16, 64, 256]);
      let inner: Element = el(0x00100010, 'PN', str('Deep'));
      for (let d = 0; d < depth; d++)
        inner = { tag: 0x00400275, vr: 'SQ', value: Buffer.alloc(0), items: [[inner]] };
      els.splice(i, 0, inner);
      return `nested sequence depth ${depth}`;
    }
    case 9:
      if (inCommand && target.vr === 'US') {
        target.value = us(r.pick([0, 0xffff, 0x8000, 0x0101, 0x0001, 0x0fff, 0x8001, r.int(0x10000)]));
        return `command value ${hexTag(target.tag)}`;
      }
      target.value = str(r.pick(HOSTILE_STRINGS));
      return `hostile string ${hexTag(target.tag)}`;
    case 10:
      if (target.items) {
        target.items.push([...(target.items[0] ?? []), el(0xfffee00d, 'UN', Buffer.alloc(0))]);
        return `item delimiter inside item ${hexTag(target.tag)}`;
      }
      target.items = [[el(0x00100010, 'PN', str('NotASequence'))]];
      return `items on a non-SQ ${hexTag(target.tag)}`;
    case 11:
      target.value = Buffer.alloc(r.pick([4_096, 65_536, 262_144]), 0x41);
      return `large value ${hexTag(target.tag)} ${target.value.length}`;
    default:
      target.tag = (target.tag & 0xffff0000) + r.int(0x10000);
      return `retag to ${hexTag(target.tag)}`;
  }
}

const hexTag = (t: number) =>
  `(${(t >>> 16).toString(16).padStart(4, '0')},${(t & 0xffff).toString(16).padStart(4, '0')})`;

/** Encodes elements (explicit or implicit VR LE); SQ items with undefined lengths and delimiters. */
export function encodeElements(els: readonly Element[], explicit: boolean): Buffer {
  const parts: Buffer[] = [];
  for (const e of els) {
    const tag = Buffer.alloc(4);
    tag.writeUInt16LE(e.tag >>> 16, 0);
    tag.writeUInt16LE(e.tag & 0xffff, 2);
    const value = e.items
      ? Buffer.concat([
          ...e.items.map((item) =>
            Buffer.concat([
              Buffer.from([0xfe, 0xff, 0x00, 0xe0, 0xff, 0xff, 0xff, 0xff]),
              encodeElements(item, explicit),
              Buffer.from([0xfe, 0xff, 0x0d, 0xe0, 0, 0, 0, 0]),
            ]),
          ),
          Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
        ])
      : e.value;
    const length = e.length ?? (e.items ? 0xffffffff : value.length);
    parts.push(tag);
    if (explicit) {
      const vr = Buffer.from(`${e.vr}  `.slice(0, 2), 'latin1');
      parts.push(vr);
      if (LONG_LENGTH_VRS.has(e.vr) || e.items) parts.push(Buffer.alloc(2), ul(length));
      else parts.push(us(length));
    } else parts.push(ul(length));
    parts.push(value);
  }
  return Buffer.concat(parts);
}

/** The command set with its group length (0000,0000) first, as PS3.7 §6.3.1 requires. */
function encodeCommand(els: readonly Element[], lieGroupLength: boolean, r: Prng): Buffer {
  const body = encodeElements(els, false);
  const groupLength = lieGroupLength ? r.pick([0, 1, body.length + 100, 0xffffffff]) : body.length;
  return Buffer.concat([encodeElements([el(0x00000000, 'UL', ul(groupLength))], false), body]);
}

function flipBytes(r: Prng, b: Buffer): Buffer {
  if (b.length === 0) return b;
  const out = Buffer.from(b);
  const n = 1 + r.int(4);
  for (let k = 0; k < n; k++) out[r.int(out.length)] = r.int(256);
  return out;
}

/** Case `index` of the run seeded `seed`: a valid request of one service, mutated. */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const r = new Prng((seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const messageId = 1 + (index % 30000);
  const t = template(r, messageId);
  const explicit = r.chance(0.5);
  const mutations: string[] = [];
  const mutateCommand = r.chance(0.5);
  const mutateDataset = t.dataset !== undefined && (!mutateCommand || r.chance(0.3));
  if (mutateCommand)
    for (let k = 1 + r.int(3); k > 0; k--) mutations.push(`command: ${mutateElements(r, t.command, true)}`);
  if (mutateDataset && t.dataset) {
    for (let k = 1 + r.int(4); k > 0; k--) mutations.push(`dataset: ${mutateElements(r, t.dataset, false)}`);
  }
  const lieGroupLength = r.chance(0.05);
  if (lieGroupLength) mutations.push('command: group length lie');
  let command = encodeCommand(t.command, lieGroupLength, r);
  let dataset = t.dataset ? encodeElements(t.dataset, explicit) : undefined;
  if (r.chance(0.08)) {
    command = flipBytes(r, command);
    mutations.push('command: byte flips');
  }
  if (dataset && r.chance(0.1)) {
    dataset = flipBytes(r, dataset);
    mutations.push('dataset: byte flips');
  }
  if (dataset && r.chance(0.05)) {
    dataset = dataset.subarray(0, r.int(dataset.length));
    mutations.push(`dataset: truncated to ${dataset.length}`);
  }
  const pdv = r.chance(0.85)
    ? 'none'
    : r.pick<FuzzCase['pdv']>([
        'unknown-context',
        'swap-flags',
        'dataset-first',
        'no-dataset',
        'tiny-fragments',
      ]);
  if (pdv !== 'none') mutations.push(`pdv: ${pdv}`);
  if (mutations.length === 0) mutations.push('none (valid)');
  return {
    index,
    service: t.service,
    sopClass: t.sopClass,
    explicit,
    command,
    ...(dataset ? { dataset } : {}),
    pdv,
    mutations,
  };
}
