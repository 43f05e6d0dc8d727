/**
 * A C-STORE the audit proxy passes on as it arrives (cut-through): the modality's command opens the same
 * request on the paired association, the command leaving for the PACS with the first data set fragment (one
 * write), and each fragment goes on as soon as it is received, as it is when it fits the PACS's maximum PDU
 * length (its 12-byte head and the received bytes, not copied), re-cut when it does not
 * (dimse/fragmenter.ts `refragment`). Nothing is held: when the PACS's socket is full, the modality's socket
 * is not read until it drains (TCP back-pressure end to end). The length, sha256 and header the events carry
 * are computed on the way through (passing-dataset-digest.ts); EVT_DIMSE_SENT upstream is recorded once the
 * last fragment is out.
 *
 * The operation ends as a relayed one does (message-relay.ts): the PACS's final response goes back once the
 * operation's events are recorded (and durable, AUDIT_DURABILITY=sync). If the modality's association ends
 * mid-transfer, the PACS's is aborted with that cause; a data set past `maxInstanceBytes` aborts the
 * modality's association (its start is already at the PACS, so no status can be answered for it).
 */
import type { Association } from '../association/association.js';
import type { DatasetDigest } from '../association/command-summary.js';
import type { DatasetPassage, DimseMessage, OpenedRequest } from '../association/dimse-service.js';
import type { NegotiatedContext } from '../association/types.js';
import type { CommandSet } from '../dimse/command-set.js';
import { endOf } from './paired-ending.js';
import { PassingDatasetDigest } from './passing-dataset-digest.js';

export interface CutThroughOptions {
  bulkDataThreshold: number;
  /** Data sets longer than this abort the modality's association (default: no limit). */
  maxInstanceBytes?: number;
}

export class CutThroughStore implements DatasetPassage {
  readonly #down: Association;
  readonly #up: Association;
  readonly #request: OpenedRequest;
  readonly #digest: PassingDatasetDigest;
  readonly #maxBytes: number;
  readonly #early: DimseMessage[] = [];
  #onPending: ((m: DimseMessage) => void) | undefined;
  #waitingForRoom = false;
  #ended = false;
  /** Bytes of the data set received so far (passed on, or refused past `maxInstanceBytes`). */
  #received = 0;
  /** Fragments passed on in this tick and not yet digested: the digest runs once they have left. */
  readonly #undigested: Buffer[] = [];
  #digestScheduled = false;

  /**
   * Starts the upstream request for a C-STORE command; undefined when it cannot go there now: no such context,
   * the association not established, or a request from the PACS being relayed (its answer goes the same way,
   * and the messages' fragments must not mix).
   */
  static open(
    down: Association,
    up: Association,
    context: NegotiatedContext,
    command: CommandSet,
    opts: CutThroughOptions,
  ): CutThroughStore | undefined {
    const upContext = up.contexts.get(context.id);
    if (!upContext || !up.isEstablished || up.dimse.serving) return undefined;
    return new CutThroughStore(down, up, context, upContext, command, opts);
  }

  private constructor(
    down: Association,
    up: Association,
    context: NegotiatedContext,
    upContext: NegotiatedContext,
    command: CommandSet,
    opts: CutThroughOptions,
  ) {
    this.#down = down;
    this.#up = up;
    this.#maxBytes = opts.maxInstanceBytes ?? Number.POSITIVE_INFINITY;
    this.#digest = new PassingDatasetDigest(context, {
      bulkDataThreshold: opts.bulkDataThreshold,
      wanted: down.wants('EVT_C_STORE') || down.wants('EVT_DIMSE_RECV') || up.wants('EVT_DIMSE_SENT'),
    });
    this.#request = up.dimse.openRequest(upContext, command, (m) => {
      if (this.#onPending) this.#onPending(m);
      else this.#early.push(m);
    });
    // The PACS's association ending while the modality is still sending: the modality's is aborted, saying so.
    this.#request.response.catch((err: unknown) => {
      if (this.#ended) return;
      down.abort(
        `C-STORE-RQ ${command.messageId ?? ''} not completed, ${this.#received} bytes passed on: ${endOf(up.outcome) ?? (err as Error).message}`,
      );
    });
  }

  write(fragment: Buffer, last: boolean): void {
    this.#received += fragment.length;
    if (this.#received > this.#maxBytes) {
      this.#down.abort(
        `instance larger than ${this.#maxBytes} bytes (DICOM_MAX_INSTANCE_BYTES): its start was passed on, the rest is not`,
      );
      return;
    }
    // Forward first, account after: the PACS takes the bytes while their digest (sha256, header) is computed.
    // The last fragment leaves now, not when the tick ends (the operation's events follow it in this tick);
    // the others leave with the rest of the tick's writes (one writev), and are digested after them.
    const room = this.#request.fragment(fragment, last);
    if (last) {
      this.#up.dul.flush();
      this.#digestPassed();
      this.#digest.push(fragment);
    } else {
      this.#undigested.push(fragment);
      if (!this.#digestScheduled) {
        this.#digestScheduled = true;
        // Queued after the upper layer's uncork (queued by the first write of this tick).
        process.nextTick(this.#digestPassed);
      }
    }
    if (room || this.#waitingForRoom) return;
    this.#waitingForRoom = true;
    this.#down.dul.pauseReading('upstream');
    this.#request
      .drained()
      .catch(() => undefined)
      .finally(() => {
        this.#waitingForRoom = false;
        this.#down.dul.resumeReading('upstream');
      });
  }

  /** Digests the fragments passed on and not digested yet. */
  readonly #digestPassed = (): void => {
    this.#digestScheduled = false;
    for (const f of this.#undigested) this.#digest.push(f);
    this.#undigested.length = 0;
  };

  end(): DatasetDigest {
    this.#ended = true;
    const digest = this.#digest.result();
    this.#request.sent(digest);
    return digest;
  }

  discard(reason: string): void {
    this.#ended = true;
    this.#up.abort(`the requestor's association ended during a C-STORE it was sending: ${reason}`);
  }

  /** The PACS's final response; pending ones (and any that came before this call) go to `pass`. */
  answer(pass: (m: DimseMessage) => void): Promise<DimseMessage> {
    for (const m of this.#early.splice(0)) pass(m);
    this.#onPending = pass;
    return this.#request.response;
  }
}
