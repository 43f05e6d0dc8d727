/**
 * Asynchronous Operations Window Sub-Item (PS3.7 Annex D.3.3.3, Table D.3-7 RQ / D.3-8 AC).
 *   offset 0  length 1  Item-type 0x53
 *   offset 1  length 1  Reserved
 *   offset 2  length 2  Item-length (4)
 *   offset 4  length 2  Maximum-number-operations-invoked
 *   offset 6  length 2  Maximum-number-operations-performed
 */
import type { ByteReader } from '../byte-reader.js';
import type { ByteWriter } from '../byte-writer.js';
import { writeItem } from '../item-header.js';
import { ItemType } from '../pdu-type.js';

export interface AsyncOperationsWindow {
  invoked: number;
  performed: number;
}

export function readAsyncOperationsWindow(body: ByteReader): AsyncOperationsWindow {
  const invoked = body.u16('maximum-number-operations-invoked');
  const performed = body.u16('maximum-number-operations-performed');
  body.expectEnd('async-operations-window');
  return { invoked, performed };
}

export function writeAsyncOperationsWindow(w: ByteWriter, value: AsyncOperationsWindow): void {
  writeItem(w, ItemType.ASYNC_OPERATIONS_WINDOW, (b) => {
    b.u16(value.invoked, 'maximum-number-operations-invoked');
    b.u16(value.performed, 'maximum-number-operations-performed');
  });
}
