/**
 * AuditEvents a FHIR server refused for what they are (a 4xx about the resource, e.g. 422 Unprocessable Entity),
 * kept instead of retried forever: one JSON line each in `fhir-dead-letters-<UTC day>.ndjson` under
 * AUDIT_FHIR_DEAD_LETTER_DIR (folder 0700, files 0600: they hold patient ids), with the resource as it was sent,
 * the HTTP status and the server's OperationOutcome. A line is fsync'd before the stream moves past its message,
 * so nothing leaves the stream without a trace; an operator fixes the cause and PUTs the resource again from
 * the line (it carries its stable id).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { appendDurably } from '../durable-append.js';

export interface DeadLetter {
  /** The message's stable id (the resource id). */
  id: string;
  /** The DICOM EventID of the message, e.g. 110104. */
  event_id: string;
  status: number;
  /** The server's answer: its OperationOutcome when it sent JSON, else its text (at most 4 KiB). */
  outcome: unknown;
  resource: Record<string, unknown>;
}

export class FhirDeadLetters {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Writes the dead letter durably; returns the file it went to. */
  async keep(letter: DeadLetter, now: Date = new Date()): Promise<string> {
    const at = now.toISOString();
    const file = path.join(this.dir, `fhir-dead-letters-${at.slice(0, 10)}.ndjson`);
    await appendDurably(file, `${JSON.stringify({ dead_lettered_at: at, ...letter })}\n`);
    return file;
  }
}

/** The server's error body as the dead letter keeps it: parsed JSON (an OperationOutcome) or its text. */
export function serverOutcome(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text.slice(0, 4096);
  }
}
