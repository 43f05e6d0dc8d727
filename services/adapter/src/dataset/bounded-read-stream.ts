/**
 * dcmjs's ReadBufferStream for a whole data set, refusing any read past its end. dcmjs trusts an element's
 * declared length: a 130-byte data set whose lengths lie (one VR byte off) declares a 1.3 GB value, which dcmjs
 * allocates and zero-fills (found by the DIMSE fuzzer: the adapter went from 130 MB to 1.5 GB and stopped
 * answering for 20 s). Here such a read throws, and the caller's parse error names it.
 */

import { DicomtrailError } from '@dicomtrail/runtime';
import dcmjs from 'dcmjs';

export function boundedReadStream(
  body: ArrayBuffer,
  littleEndian: boolean,
): InstanceType<typeof dcmjs.data.ReadBufferStream> {
  const stream = new dcmjs.data.ReadBufferStream(body, littleEndian, { noCopy: true });
  const slice = stream.slice.bind(stream);
  const refuse = (end: number) =>
    new DicomtrailError(
      'DT_ERR_DATASET_PARSE',
      `an element's length runs past the end of the data set (${end} > ${body.byteLength} bytes)`,
      { end, length: body.byteLength },
    );
  stream.slice = (start?: number, end?: number) => {
    if (end !== undefined && end > body.byteLength) throw refuse(end);
    return slice(start, end);
  };
  // A sequence item of defined length is read from a stream of its own: bounded the same way.
  stream.more = (length: number) => {
    const end = stream.offset + length;
    if (end > body.byteLength) throw refuse(end);
    const item = boundedReadStream(slice(stream.offset, end), littleEndian);
    stream.increment(length);
    item.setComplete();
    return item;
  };
  return stream;
}
