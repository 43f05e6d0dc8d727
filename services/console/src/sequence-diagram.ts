/**
 * One association as a sequence diagram (inline SVG): the requestor and acceptor lifelines, the A-ASSOCIATE
 * request with its proposed contexts, the accept (contexts accepted and rejected) or reject (decoded cause), each
 * DIMSE request and its final response with status and duration, and the release or abort with its cause.
 * Pure: the association's steps in, SVG out.
 */
import { escapeHtml } from './html.js';

export type Side = 'requestor' | 'acceptor';

export interface DiagramStep {
  from: Side;
  label: string;
  note?: string;
  tone?: 'ok' | 'warn' | 'fail' | 'plain';
  at?: Date;
}

const W = 900;
const X: Record<Side, number> = { requestor: 230, acceptor: 670 };
const ROW = 44;
const TOP = 70;

const TONES = { ok: '#2f7d32', warn: '#b26a00', fail: '#c62828', plain: '#333' } as const;

export function sequenceDiagram(requestor: string, acceptor: string, steps: readonly DiagramStep[]): string {
  const h = TOP + steps.length * ROW + 30;
  const parts: string[] = [
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="context-stroke"/></marker></defs>`,
  ];
  for (const [side, label] of [
    ['requestor', requestor],
    ['acceptor', acceptor],
  ] as const) {
    parts.push(
      `<rect x="${X[side] - 120}" y="10" width="240" height="36" rx="4" class="actor"/>`,
      `<text x="${X[side]}" y="33" text-anchor="middle" class="actor-label">${escapeHtml(label)}</text>`,
      `<line x1="${X[side]}" x2="${X[side]}" y1="46" y2="${h - 10}" class="lifeline"/>`,
    );
  }
  steps.forEach((s, i) => {
    const y = TOP + i * ROW + 18;
    const x1 = X[s.from];
    const x2 = X[s.from === 'requestor' ? 'acceptor' : 'requestor'];
    const color = TONES[s.tone ?? 'plain'];
    parts.push(
      `<line x1="${x1}" x2="${x2 + (x2 > x1 ? -2 : 2)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2" marker-end="url(#arrow)"/>`,
      `<text x="${(x1 + x2) / 2}" y="${y - 6}" text-anchor="middle" fill="${color}" class="msg">${escapeHtml(s.label)}</text>`,
    );
    if (s.note)
      parts.push(
        `<text x="${(x1 + x2) / 2}" y="${y + 15}" text-anchor="middle" class="note">${escapeHtml(s.note)}</text>`,
      );
    if (s.at) parts.push(`<text x="8" y="${y + 4}" class="time">${s.at.toISOString().slice(11, 23)}</text>`);
  });
  return `<svg class="sequence" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" role="img" aria-label="Association sequence diagram">${parts.join('')}</svg>`;
}
