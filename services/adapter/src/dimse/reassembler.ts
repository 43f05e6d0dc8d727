/**
 * Reassembles DIMSE messages from PDVs, PS3.8 Annex E.2 and PS3.7 §6.3.1.
 * A message is its command fragments (control 0x01 … 0x03) followed, when CommandDataSetType says so,
 * by its data set fragments (0x00 … 0x02), all on one presentation context. The command is buffered
 * (it is small; `maxCommandLength` bounds it); the data set is NOT: each data set PDV is handed on as a
 * chunk so a 50 MB C-STORE can go to disk as it arrives. Command fragments are appended in place and
 * joined once, so a command in thousands of tiny PDVs costs time linear in its length. Violations throw
 * DimseError; the association layer turns them into an A-ABORT.
 */
import { type CommandSet, decodeCommandSet, hasDataset } from './command-set.js';
import { DimseError } from './dimse-error.js';
import type { Pdv } from './pdv.js';

export type AssemblerOutput =
  | { kind: 'command'; contextId: number; command: CommandSet; commandBytes: Buffer; hasDataset: boolean }
  | { kind: 'dataset-chunk'; contextId: number; chunk: Buffer; last: boolean };

type State =
  | { name: 'idle'; previousWithoutDataset: boolean }
  | { name: 'command'; contextId: number; fragments: Buffer[]; length: number }
  | { name: 'dataset'; contextId: number };

/**
 * The largest command set accepted (bytes). A PS3.7 command set holds a few UIDs, AE titles, US/UL values and at
 * most an attribute identifier list or an error comment: a few hundred bytes in practice. 64 KiB leaves room for
 * any legitimate list and refuses a peer that streams megabytes into the buffered part of a message.
 */
export const MAX_COMMAND_LENGTH = 64 * 1024;
/** The most PDVs one command set may come in (empty fragments add no length but still cost memory). */
export const MAX_COMMAND_FRAGMENTS = 16 * 1024;

function violation(code: string, message: string, context: Record<string, unknown>): never {
  throw new DimseError(code, message, context);
}

/** The idle states (immutable, so one object each rather than one per message). */
const IDLE_AFTER_COMMAND: State = Object.freeze({ name: 'idle', previousWithoutDataset: true });
const IDLE_AFTER_DATASET: State = Object.freeze({ name: 'idle', previousWithoutDataset: false });

export class DimseAssembler {
  readonly #maxCommandLength: number;
  readonly #maxCommandFragments: number;
  #state: State = IDLE_AFTER_DATASET;

  constructor(options: { maxCommandLength?: number; maxCommandFragments?: number } = {}) {
    this.#maxCommandLength = options.maxCommandLength ?? MAX_COMMAND_LENGTH;
    this.#maxCommandFragments = options.maxCommandFragments ?? MAX_COMMAND_FRAGMENTS;
  }

  /** True between messages (nothing partially received). */
  get idle(): boolean {
    return this.#state.name === 'idle';
  }

  push(pdv: Pdv): AssemblerOutput[] {
    return pdv.isCommand ? this.#command(pdv) : this.#dataset(pdv);
  }

  #command(pdv: Pdv): AssemblerOutput[] {
    const s = this.#state;
    if (s.name === 'dataset')
      violation('DT_ERR_DIMSE_COMMAND_WHILE_DATASET_EXPECTED', 'command PDV while a data set is expected', {
        contextId: pdv.contextId,
        expectedContextId: s.contextId,
      });
    if (s.name === 'command' && s.contextId !== pdv.contextId)
      violation(
        'DT_ERR_DIMSE_COMMAND_INTERLEAVED',
        'command fragments from different presentation contexts',
        {
          contextId: pdv.contextId,
          expectedContextId: s.contextId,
        },
      );
    // Appended in place: copying the list per fragment made a command in 7-byte PDVs quadratic.
    const fragments = s.name === 'command' ? s.fragments : [];
    const length = (s.name === 'command' ? s.length : 0) + pdv.data.length;
    if (length > this.#maxCommandLength)
      violation('DT_ERR_DIMSE_COMMAND_TOO_LONG', `command set longer than ${this.#maxCommandLength} bytes`, {
        contextId: pdv.contextId,
        length,
        fragments: fragments.length + 1,
      });
    if (fragments.length >= this.#maxCommandFragments)
      violation(
        'DT_ERR_DIMSE_COMMAND_TOO_FRAGMENTED',
        `command set in more than ${this.#maxCommandFragments} PDVs`,
        { contextId: pdv.contextId, length, fragments: fragments.length + 1 },
      );
    fragments.push(pdv.data);
    if (!pdv.isLast) {
      this.#state = { name: 'command', contextId: pdv.contextId, fragments, length };
      return [];
    }
    const commandBytes = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments, length);
    const command = decodeCommandSet(commandBytes);
    const withDataset = hasDataset(command);
    this.#state = withDataset ? { name: 'dataset', contextId: pdv.contextId } : IDLE_AFTER_COMMAND;
    return [{ kind: 'command', contextId: pdv.contextId, command, commandBytes, hasDataset: withDataset }];
  }

  #dataset(pdv: Pdv): AssemblerOutput[] {
    const s = this.#state;
    if (s.name === 'command')
      violation('DT_ERR_DIMSE_DATASET_BEFORE_COMMAND_END', 'data set PDV before the last command fragment', {
        contextId: pdv.contextId,
      });
    if (s.name === 'idle') {
      if (s.previousWithoutDataset)
        violation('DT_ERR_DIMSE_UNEXPECTED_DATASET', 'data set PDV after a command without a data set', {
          contextId: pdv.contextId,
        });
      violation('DT_ERR_DIMSE_DATASET_WITHOUT_COMMAND', 'data set PDV before any command', {
        contextId: pdv.contextId,
      });
    }
    if (s.contextId !== pdv.contextId)
      violation('DT_ERR_DIMSE_DATASET_CONTEXT_MISMATCH', 'data set on a different context than its command', {
        contextId: pdv.contextId,
        expectedContextId: s.contextId,
      });
    if (pdv.isLast) this.#state = IDLE_AFTER_DATASET;
    return [{ kind: 'dataset-chunk', contextId: pdv.contextId, chunk: pdv.data, last: pdv.isLast }];
  }
}

/**
 * Accumulates a small data set (C-FIND identifier, N-* attribute list) from dataset-chunk outputs,
 * refusing to grow past `maxLength`. `push` returns the whole data set on the last chunk.
 */
export class DatasetCollector {
  readonly #maxLength: number;
  #chunks: Buffer[] = [];
  #length = 0;

  constructor(maxLength = 16 * 1024 * 1024) {
    this.#maxLength = maxLength;
  }

  push(chunk: Buffer, last: boolean): Buffer | undefined {
    this.#length += chunk.length;
    if (this.#length > this.#maxLength)
      violation('DT_ERR_DIMSE_DATASET_TOO_LONG', `data set longer than ${this.#maxLength} bytes`, {
        length: this.#length,
      });
    if (chunk.length > 0) this.#chunks.push(chunk);
    if (!last) return undefined;
    const whole = this.#chunks.length === 1 ? this.#chunks[0]! : Buffer.concat(this.#chunks, this.#length);
    this.#chunks = [];
    this.#length = 0;
    return whole;
  }
}
