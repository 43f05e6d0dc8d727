/**
 * The fuzzer's DICOM peer: a raw socket that opens a real association (A-ASSOCIATE-RQ proposing every service
 * the cases use, implicit and explicit VR LE), sends a case's command and data set PDVs exactly as built (the
 * case's PDV mutation applied), then a C-ECHO probe, and waits for the probe's response: the adapter answered
 * everything before it. Requests the adapter sends (a commitment's N-EVENT-REPORT, a C-GET's C-STORE) are
 * answered with success so the association keeps moving. An A-ABORT or a closed socket ends the association
 * (the outcome names the abort's source and reason).
 */
import { connect, type Socket } from 'node:net';
import { decodePdu } from '../../src/pdu/decode.js';
import { encodePdu } from '../../src/pdu/encode.js';
import { emptyUserInformation } from '../../src/pdu/items/user-information.js';
import { type FuzzCase, SOP, TS } from './dimse-cases.js';

export type CaseOutcome =
  | { kind: 'answered'; statuses: number[] }
  /** The probe was answered, the case's own request (a known request type with a message id) was not. */
  | { kind: 'request-unanswered'; statuses: number[] }
  | { kind: 'aborted'; reason: string }
  | { kind: 'closed' }
  | { kind: 'no-answer' };

const PROBE_MESSAGE_ID_BASE = 40000;
const ABORT_SOURCES = ['service-user', 'reserved', 'service-provider'];
const ABORT_REASONS = [
  'not-specified',
  'unrecognized-pdu',
  'unexpected-pdu',
  'reserved',
  'unrecognized-pdu-parameter',
  'unexpected-pdu-parameter',
  'invalid-pdu-parameter-value',
];

export function abortReasonName(source: number, reason: number): string {
  const src = ABORT_SOURCES[source] ?? `source-${source}`;
  return source === 2 ? `${src}: ${ABORT_REASONS[reason] ?? `reason-${reason}`}` : src;
}

interface Message {
  contextId: number;
  command: Buffer;
  dataset?: Buffer;
}

export class FuzzPeer {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #closed = false;
  #abort: string | undefined;
  /** Context id by abstract syntax and explicit (true) or implicit VR. */
  readonly #contexts = new Map<string, number>();
  #maxPdu = 16384;
  #probeId = PROBE_MESSAGE_ID_BASE;
  /** The message id of the last probe sent, and whether it was answered. */
  #waitingFor = -1;
  #probeAnswered = false;
  /** The message id of the case's request that must get a final response (undefined: none expected). */
  #expect: number | undefined;
  #requestAnswered = false;
  #statuses: number[] = [];
  /** Reassembly of the message being received. */
  #pending: { contextId: number; command: Buffer[]; dataset: Buffer[]; commandDone: boolean } | undefined;
  readonly #received: Message[] = [];
  #wake: (() => void) | undefined;
  /** Until the A-ASSOCIATE-AC is read, incoming bytes wait for #nextRawPdu. */
  #associated = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#drain();
      this.#wake?.();
    });
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  /** The association, or why there is none. */
  static async open(port: number, timeoutMs: number): Promise<FuzzPeer | string> {
    const socket = connect({ host: '127.0.0.1', port });
    const peer = new FuzzPeer(socket);
    const connected = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    });
    if (!connected) return 'TCP connection refused';
    const syntaxes = Object.values(SOP);
    let id = 1;
    const presentationContexts = [];
    const ids: [string, number][] = [];
    for (const abstractSyntax of syntaxes) {
      for (const ts of [TS.IMPLICIT, TS.EXPLICIT]) {
        presentationContexts.push({ id, abstractSyntax, transferSyntaxes: [ts] });
        ids.push([`${abstractSyntax}|${ts === TS.EXPLICIT}`, id]);
        id += 2;
      }
    }
    socket.write(
      encodePdu({
        type: 'A-ASSOCIATE-RQ',
        protocolVersion: 1,
        calledAeTitle: 'DICOMTRAIL',
        callingAeTitle: 'FUZZER',
        applicationContextName: '1.2.840.10008.3.1.1.1',
        presentationContexts,
        userInformation: {
          ...emptyUserInformation(),
          maxLength: 65536,
          implementationClassUid: '1.2.826.0.1.3680043.10.1386.99.9',
        },
      }),
    );
    const answer = await peer.#nextRawPdu(timeoutMs);
    peer.#associated = true;
    if (answer?.[0] !== 0x02) {
      peer.close();
      if (!answer)
        return peer.#closed ? 'closed before A-ASSOCIATE-AC' : `no A-ASSOCIATE-AC within ${timeoutMs} ms`;
      return answer[0] === 0x03
        ? `A-ASSOCIATE-RJ result ${answer[7]} source ${answer[8]} reason ${answer[9]}`
        : `PDU type ${answer[0]} instead of A-ASSOCIATE-AC`;
    }
    const ac = decodePdu(answer);
    if (ac.type !== 'A-ASSOCIATE-AC') return 'not an A-ASSOCIATE-AC';
    const accepted = new Set(ac.presentationContexts.filter((c) => c.result === 0).map((c) => c.id));
    for (const [key, ctx] of ids) if (accepted.has(ctx)) peer.#contexts.set(key, ctx);
    peer.#maxPdu = ac.userInformation.maxLength || 16384;
    peer.#drain();
    return peer;
  }

  get alive(): boolean {
    return !this.#closed && this.#abort === undefined;
  }

  close(): void {
    this.#socket.destroy();
  }

  /** Sends an orderly A-RELEASE-RQ and waits briefly for the answer. */
  async release(timeoutMs = 2000): Promise<void> {
    if (!this.alive) return;
    this.#socket.write(Buffer.from([0x05, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
    await this.#until(() => this.#closed || this.#buf.length >= 10, timeoutMs);
    this.close();
  }

  /** Sends one case, then the probe; resolves when the probe is answered, the association ends, or time runs out. */
  async run(c: FuzzCase, timeoutMs: number): Promise<CaseOutcome> {
    this.#expect = expectedResponse(c.command);
    this.#requestAnswered = false;
    this.#statuses = [];
    const ctx =
      this.#contexts.get(`${c.sopClass}|${c.explicit}`) ?? this.#contexts.get(`${c.sopClass}|false`);
    const contextId = c.pdv === 'unknown-context' ? 255 : (ctx ?? 1);
    const pdvs: { ctx: number; command: boolean; last: boolean; data: Buffer }[] = [];
    const fragment = c.pdv === 'tiny-fragments' ? 7 : this.#maxPdu - 12;
    const push = (data: Buffer, command: boolean) => {
      for (let off = 0; off < data.length || off === 0; off += fragment) {
        const part = data.subarray(off, off + fragment);
        pdvs.push({ ctx: contextId, command, last: off + fragment >= data.length, data: part });
        if (data.length === 0) break;
      }
    };
    const swap = c.pdv === 'swap-flags';
    if (c.pdv === 'dataset-first' && c.dataset) push(c.dataset, swap);
    push(c.command, !swap);
    if (c.dataset && c.pdv !== 'no-dataset' && c.pdv !== 'dataset-first') push(c.dataset, swap);
    this.#writePdvs(pdvs);
    return this.#probe(timeoutMs);
  }

  /** A C-ECHO on the verification context; answered means everything sent before it was answered too. */
  async #probe(timeoutMs: number): Promise<CaseOutcome> {
    const ctx = this.#contexts.get(`${SOP.VERIFICATION}|false`) ?? 1;
    const id = this.#probeId++;
    if (this.#probeId > 60000) this.#probeId = PROBE_MESSAGE_ID_BASE;
    this.#waitingFor = id;
    this.#probeAnswered = false;
    if (this.alive) this.#writePdvs([{ ctx, command: true, last: true, data: echoRq(id) }]);
    return this.awaitAnswer(timeoutMs);
  }

  /**
   * Waits for the last probe's answer and the case request's final response (after `run` said no-answer or
   * request-unanswered, it goes on waiting: a slow answer or none). The adapter may answer the probe first: a
   * C-STORE is served once its file is written, a C-ECHO behind it at once.
   */
  async awaitAnswer(timeoutMs: number): Promise<CaseOutcome> {
    const id = this.#waitingFor;
    const done = () => this.#probeAnswered && (this.#expect === undefined || this.#requestAnswered);
    const deadline = Date.now() + timeoutMs;
    while (!done() && this.alive && Date.now() < deadline) {
      await this.#until(() => this.#received.length > 0 || !this.alive, deadline - Date.now());
      for (let m = this.#received.shift(); m; m = this.#received.shift()) {
        const cmd = readCommand(m.command);
        if (cmd.commandField !== undefined && (cmd.commandField & 0x8000) === 0) {
          this.#answer(m.contextId, cmd);
          continue;
        }
        if (cmd.commandField === 0x8030 && cmd.respondedTo === id) this.#probeAnswered = true;
        else if (cmd.status !== undefined) {
          this.#statuses.push(cmd.status);
          if (cmd.respondedTo === this.#expect && cmd.status !== 0xff00 && cmd.status !== 0xff01)
            this.#requestAnswered = true;
        }
      }
    }
    if (done()) return { kind: 'answered', statuses: this.#statuses };
    if (this.#abort !== undefined) return { kind: 'aborted', reason: this.#abort };
    if (this.#closed) return { kind: 'closed' };
    if (this.#probeAnswered) return { kind: 'request-unanswered', statuses: this.#statuses };
    return { kind: 'no-answer' };
  }

  #answer(contextId: number, cmd: ReturnType<typeof readCommand>): void {
    const els: [number, Buffer][] = [];
    if (cmd.sopClass) els.push([0x00000002, cmd.sopClass]);
    els.push([0x00000100, u16((cmd.commandField ?? 0) | 0x8000)]);
    els.push([0x00000120, u16(cmd.messageId ?? 0)]);
    els.push([0x00000800, u16(0x0101)]);
    els.push([0x00000900, u16(0)]);
    if (cmd.sopInstance) els.push([0x00001000, cmd.sopInstance]);
    this.#writePdvs([{ ctx: contextId, command: true, last: true, data: implicitCommand(els) }]);
  }

  #writePdvs(pdvs: readonly { ctx: number; command: boolean; last: boolean; data: Buffer }[]): void {
    if (!this.alive) return;
    const limit = this.#maxPdu;
    let batch: Buffer[] = [];
    let size = 0;
    const flush = () => {
      if (batch.length === 0) return;
      const body = Buffer.concat(batch);
      const header = Buffer.alloc(6);
      header[0] = 0x04;
      header.writeUInt32BE(body.length, 2);
      this.#socket.write(Buffer.concat([header, body]));
      batch = [];
      size = 0;
    };
    for (const p of pdvs) {
      const item = Buffer.alloc(6);
      item.writeUInt32BE(p.data.length + 2, 0);
      item[4] = p.ctx;
      item[5] = (p.command ? 1 : 0) | (p.last ? 2 : 0);
      if (size + 6 + p.data.length > limit) flush();
      batch.push(item, p.data);
      size += 6 + p.data.length;
    }
    flush();
  }

  #drain(): void {
    while (this.#associated && this.#buf.length >= 6) {
      const len = 6 + this.#buf.readUInt32BE(2);
      if (this.#buf.length < len) return;
      const pdu = this.#buf.subarray(0, len);
      this.#buf = this.#buf.subarray(len);
      if (pdu[0] === 0x07) {
        this.#abort = abortReasonName(pdu[8] ?? 0, pdu[9] ?? 0);
        this.#socket.destroy();
      } else if (pdu[0] === 0x04) this.#pData(pdu);
      else if (pdu[0] === 0x05) {
        // A release the adapter asks for: answer it.
        this.#socket.write(Buffer.from([0x06, 0, 0, 0, 0, 4, 0, 0, 0, 0]));
      }
    }
  }

  #pData(pdu: Buffer): void {
    let off = 6;
    while (off + 6 <= pdu.length) {
      const len = pdu.readUInt32BE(off);
      const ctx = pdu[off + 4]!;
      const flags = pdu[off + 5]!;
      const data = Buffer.from(pdu.subarray(off + 6, off + 4 + len));
      off += 4 + len;
      const p = this.#pending ?? { contextId: ctx, command: [], dataset: [], commandDone: false };
      this.#pending = p;
      if (flags & 1) p.command.push(data);
      else p.dataset.push(data);
      if (flags & 1 && flags & 2) {
        p.commandDone = true;
        const cmd = readCommand(Buffer.concat(p.command));
        if (cmd.dataSetType === 0x0101 || cmd.dataSetType === undefined) this.#finish();
      } else if (!(flags & 1) && flags & 2) this.#finish();
    }
  }

  #finish(): void {
    const p = this.#pending!;
    this.#pending = undefined;
    this.#received.push({
      contextId: p.contextId,
      command: Buffer.concat(p.command),
      ...(p.dataset.length > 0 ? { dataset: Buffer.concat(p.dataset) } : {}),
    });
  }

  async #nextRawPdu(timeoutMs: number): Promise<Buffer | undefined> {
    await this.#until(
      () => this.#closed || (this.#buf.length >= 6 && this.#buf.length >= 6 + this.#buf.readUInt32BE(2)),
      timeoutMs,
    );
    if (this.#buf.length < 6 || this.#buf.length < 6 + this.#buf.readUInt32BE(2)) return undefined;
    const len = 6 + this.#buf.readUInt32BE(2);
    const p = this.#buf.subarray(0, len);
    this.#buf = this.#buf.subarray(len);
    return p;
  }

  async #until(pred: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + Math.max(0, timeoutMs);
    while (!pred() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(50, Math.max(1, deadline - Date.now())));
        this.#wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.#wake = undefined;
    }
  }
}

/** Request command fields (PS3.7 Annex E) that must get a final response; C-CANCEL gets none. */
const REQUESTS = new Set([
  0x0001, 0x0010, 0x0020, 0x0021, 0x0030, 0x0100, 0x0110, 0x0120, 0x0130, 0x0140, 0x0150,
]);

/** The message id a case's command set (as sent) asks a response to, if it is a known request with one. */
function expectedResponse(command: Buffer): number | undefined {
  const cmd = readCommand(command);
  return cmd.commandField !== undefined && REQUESTS.has(cmd.commandField) ? cmd.messageId : undefined;
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n & 0xffff);
  return b;
}

function implicitCommand(els: readonly [number, Buffer][]): Buffer {
  const body = Buffer.concat(
    els.map(([tag, v]) => {
      const h = Buffer.alloc(8);
      h.writeUInt16LE(tag >>> 16, 0);
      h.writeUInt16LE(tag & 0xffff, 2);
      h.writeUInt32LE(v.length, 4);
      return Buffer.concat([h, v]);
    }),
  );
  const gl = Buffer.alloc(12);
  gl.writeUInt32LE(4, 4);
  gl.writeUInt32LE(body.length, 8);
  return Buffer.concat([gl, body]);
}

function echoRq(messageId: number): Buffer {
  const uid = Buffer.from(`${SOP.VERIFICATION}\u0000`, 'latin1');
  return implicitCommand([
    [0x00000002, uid.length % 2 === 0 ? uid : uid.subarray(0, uid.length - 1)],
    [0x00000100, u16(0x0030)],
    [0x00000110, u16(messageId)],
    [0x00000800, u16(0x0101)],
  ]);
}

/** The few command elements the peer reads (Implicit VR LE), tolerant of anything. */
function readCommand(b: Buffer): {
  commandField?: number;
  messageId?: number;
  respondedTo?: number;
  status?: number;
  dataSetType?: number;
  sopClass?: Buffer;
  sopInstance?: Buffer;
} {
  const out: ReturnType<typeof readCommand> = {};
  let off = 0;
  while (off + 8 <= b.length) {
    const tag = (b.readUInt16LE(off) << 16) | b.readUInt16LE(off + 2);
    const len = b.readUInt32LE(off + 4);
    const v = b.subarray(off + 8, off + 8 + len);
    off += 8 + len;
    const n = v.length >= 2 ? v.readUInt16LE(0) : undefined;
    switch (tag >>> 0) {
      case 0x00000002:
      case 0x00000003:
        out.sopClass = Buffer.from(v);
        break;
      case 0x00000100:
        if (n !== undefined) out.commandField = n;
        break;
      case 0x00000110:
        if (n !== undefined) out.messageId = n;
        break;
      case 0x00000120:
        if (n !== undefined) out.respondedTo = n;
        break;
      case 0x00000800:
        if (n !== undefined) out.dataSetType = n;
        break;
      case 0x00000900:
        if (n !== undefined) out.status = n;
        break;
      case 0x00001000:
      case 0x00001001:
        out.sopInstance = Buffer.from(v);
        break;
    }
  }
  return out;
}
