// A received C-STORE data set as its handler gets it: a temporary file, or (small instances) the bytes held in
// memory until the handler writes them once under their final name, with what the events say of it.
import type { DeferredDicomJson } from '../dataset/deferred-dicom-json.js';

export interface StoredFile {
  /**
   * The temporary file holding the Part 10 instance; the C-STORE handler moves it (or it is deleted). Not
   * written while the instance is `held`.
   */
  tempPath: string;
  /**
   * The whole Part 10 instance in memory (a small one, received with `holdSmall`), until the handler files it
   * (held-instances.ts `letGo`); there is no temporary file then (`spillHeld` writes one).
   */
  held?: Buffer;
  /** Bytes of the data set (without the Part 10 header). */
  datasetBytes: number;
  fileBytes: number;
  /** sha256 of the data set; computed when an event will carry it. */
  sha256?: string;
  /**
   * The header as DICOM JSON (up to Pixel Data), decoded only when asked for (an event's JSON text, a handler,
   * or the envelope thread, which decodes it off the DICOM thread); set when an event will carry it.
   */
  header?: DeferredDicomJson;
  /** Study / Series Instance UIDs, for the storage layout (from the header, or a quick scan). */
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  /** The data set's own SOP Instance UID, when the quick scan found it (the request's may differ). */
  sopInstanceUid?: string;
  /** Where the C-STORE handler put the file (set by the handler; unset: the temporary file is deleted). */
  finalPath?: string;
  /** Set when writing failed: the instance is not stored. */
  error?: Error;
  /**
   * Work of the handler that need not delay the response (the archive's index add): run by the storage
   * service right after the C-STORE-RSP is handed to the socket, before any later request is read.
   */
  afterResponse?: () => void;
}
