/**
 * A data set header whose DICOM JSON is decoded only when someone needs it: the event's JSON text (`toJSON`,
 * so `JSON.stringify` of an envelope gives the same bytes as with the decoded value in place), a notification
 * handler (`materializeDeferred`), or the envelope thread (sinks/envelope-thread-worker.ts), which receives
 * the raw bytes instead of the decoded object and decodes them off the DICOM thread.
 *
 * Across a thread the instance arrives as its plain own fields (structured clone drops the class): the
 * `$deferred` brand, a process-unique `id` (the same header carried by two events is decoded once there),
 * the bytes, the decode options and the fallback.
 */
import { type DecodeOptions, type DicomJson, datasetToDicomJson } from './dicom-json.js';

export const DEFERRED_BRAND = 'dicom-json';

/** The fields a DeferredDicomJson keeps after a structured clone. */
export interface DeferredDicomJsonWire {
  $deferred: typeof DEFERRED_BRAND;
  id: number;
  bytes: Uint8Array;
  options: DecodeOptions;
  /** The value when the bytes do not decode (undefined: the property is left out of the JSON text). */
  fallback?: DicomJson;
}

let nextId = 1;

/** Decodes wire bytes; undefined when they do not parse (as decodeForEvent reports it). */
export function decodeDeferred(bytes: Uint8Array, options: DecodeOptions): DicomJson | undefined {
  try {
    const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    return datasetToDicomJson(buf, options);
  } catch {
    // Not a decodable data set: the event reports the fallback (or leaves the data set out), as before.
    return undefined;
  }
}

/** One decode shared by every view of the same header (with or without a fallback). */
class DecodeOnce {
  #done = false;
  #value: DicomJson | undefined;

  constructor(
    readonly bytes: Uint8Array,
    readonly options: DecodeOptions,
  ) {}

  get done(): boolean {
    return this.#done;
  }

  value(): DicomJson | undefined {
    if (!this.#done) {
      this.#value = decodeDeferred(this.bytes, this.options);
      this.#done = true;
    }
    return this.#value;
  }
}

export class DeferredDicomJson implements DeferredDicomJsonWire {
  readonly $deferred = DEFERRED_BRAND;
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly options: DecodeOptions;
  readonly fallback?: DicomJson;
  readonly #once: DecodeOnce;

  constructor(bytes: Uint8Array, options: DecodeOptions, fallback?: DicomJson, shared?: DeferredDicomJson) {
    this.id = shared ? shared.id : nextId++;
    this.bytes = bytes;
    this.options = options;
    if (fallback !== undefined) this.fallback = fallback;
    this.#once = shared ? shared.#once : new DecodeOnce(bytes, options);
  }

  /** The same header, reported as `fallback` (e.g. `{}`) when it does not decode. */
  orElse(fallback: DicomJson): DeferredDicomJson {
    return new DeferredDicomJson(this.bytes, this.options, fallback, this);
  }

  /** Decodes (once) and returns the DICOM JSON, or the fallback. */
  value(): DicomJson | undefined {
    return this.#once.value() ?? this.fallback;
  }

  /** The decoded value if something already asked for it; undefined otherwise (never decodes). */
  peek(): DicomJson | undefined {
    return this.#once.done ? this.#once.value() : undefined;
  }

  toJSON(): DicomJson | undefined {
    return this.value();
  }
}

export function isDeferredWire(v: unknown): v is DeferredDicomJsonWire {
  return typeof v === 'object' && v !== null && (v as { $deferred?: unknown }).$deferred === DEFERRED_BRAND;
}

/**
 * A copy of `value` with every deferred header replaced by its DICOM JSON (a property whose header does
 * not decode and has no fallback is left out). `resolve` decodes one (the instance's own `value`, or the
 * envelope thread's cache). Values without deferred headers are returned as they are, not copied.
 */
export function materializeDeferred(
  value: unknown,
  resolve: (d: DeferredDicomJsonWire) => DicomJson | undefined,
): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (isDeferredWire(value)) return resolve(value);
  if (ArrayBuffer.isView(value)) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = materializeDeferred(value[i], resolve);
      if (v === value[i]) continue;
      out ??= value.slice();
      out[i] = v;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    const before = obj[k];
    const v = materializeDeferred(before, resolve);
    if (v === before) continue;
    out ??= { ...obj };
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out ?? value;
}

/** Decodes a deferred header in this thread (an instance decodes once; a bare wire form every time). */
export function resolveHere(d: DeferredDicomJsonWire): DicomJson | undefined {
  return d instanceof DeferredDicomJson ? d.value() : (decodeDeferred(d.bytes, d.options) ?? d.fallback);
}

/** A value's deferred headers decoded in this thread (for notification handlers). */
export function materializeHere<T>(value: T): T {
  return materializeDeferred(value, resolveHere) as T;
}
