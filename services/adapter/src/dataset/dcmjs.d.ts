/** The part of dcmjs 0.51.1 dicomtrail uses (no upstream types). Only src/dataset/ may import dcmjs. */
declare module 'dcmjs' {
  export interface DcmjsElement {
    vr: string;
    Value?: unknown[];
    InlineBinary?: string;
    _rawValue?: unknown;
  }
  export type DcmjsDict = Record<string, DcmjsElement>;

  class ReadBufferStream {
    constructor(buffer: ArrayBuffer, littleEndian?: boolean | null, options?: { noCopy?: boolean });
    offset: number;
    slice(start?: number, end?: number): ArrayBuffer;
    more(length: number): ReadBufferStream;
    increment(length: number): void;
    setComplete(): void;
  }
  class WriteBufferStream {
    constructor(defaultSize?: number, littleEndian?: boolean);
    getBuffer(): ArrayBuffer;
    size: number;
  }
  interface ReadOptions {
    ignoreErrors?: boolean;
    untilTag?: string | null;
    includeUntilTagValue?: boolean;
    noCopy?: boolean;
  }
  class DicomDict {
    constructor(meta: DcmjsDict);
    meta: DcmjsDict;
    dict: DcmjsDict;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const DicomMessage: {
    _read(stream: ReadBufferStream, syntax: string, options?: ReadOptions): DcmjsDict;
    write(
      dict: DcmjsDict,
      stream: WriteBufferStream,
      syntax: string,
      options?: Record<string, unknown>,
    ): number;
    readFile(buffer: ArrayBuffer, options?: ReadOptions): DicomDict;
  };
  const DicomMetaDictionary: {
    naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
    denaturalizeDataset(dataset: Record<string, unknown>): DcmjsDict;
  };
  const dcmjs: {
    data: {
      ReadBufferStream: typeof ReadBufferStream;
      WriteBufferStream: typeof WriteBufferStream;
      DicomMessage: typeof DicomMessage;
      DicomDict: typeof DicomDict;
      DicomMetaDictionary: typeof DicomMetaDictionary;
    };
    log: { setLevel(level: string): void };
  };
  export default dcmjs;
}
