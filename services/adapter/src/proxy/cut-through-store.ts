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
        `C-STORE-RQ ${command.messageId ?? ''} not completed, ${this.#digest.bytes} bytes passed on: ${endOf(up.outcome) ?? (err as Error).message}`,
      );
    });
  }

  write(fragment: Buffer, last: boolean): void {
    if (this.#digest.bytes + fragment.length > this.#maxBytes) {
      this.#digest.push(fragment);
      this.#down.abort(
        `instance larger than ${this.#maxBytes} bytes (DICOM_MAX_INSTANCE_BYTES): its start was passed on, the rest is not`,
      );
      return;
    }
    // Forward first, account after: the PACS starts on the data set while its digest (sha256, header) and the
    // events of this tick are computed; the last fragment leaves now rather than when the tick ends.
    const room = this.#request.fragment(fragment, last);
    if (last) this.#up.dul.flush();
    this.#digest.push(fragment);
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
