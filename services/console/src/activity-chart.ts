/**
 * Associations per calling AE over time as an inline SVG line chart, drawn on the server: one line per AE title,
 * a shared time axis of hour or day buckets, a y axis with a few round ticks, a legend. Pure: points in, SVG out.
 */
import { escapeHtml } from './html.js';

export interface SeriesPoint {
  ae_title: string;
  bucket: Date;
  associations: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];
const W = 860;
const H = 260;
const M = { left: 48, right: 170, top: 12, bottom: 36 };

function niceMax(v: number): number {
  if (v <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v) ?? 10 * p;
}

export function activityChart(
  points: readonly SeriesPoint[],
  from: Date,
  to: Date,
  bucketMs: number,
): string {
  if (points.length === 0) return '<p class="empty">No associations in this period.</p>';
  const aes = [...new Set(points.map((p) => p.ae_title))];
  const start = Math.floor(from.getTime() / bucketMs) * bucketMs;
  const buckets = Math.max(1, Math.ceil((to.getTime() - start) / bucketMs));
  const max = niceMax(Math.max(...points.map((p) => p.associations)));
  const x = (t: number) => M.left + ((t - start) / (buckets * bucketMs)) * (W - M.left - M.right);
  const y = (v: number) => H - M.bottom - (v / max) * (H - M.top - M.bottom);
  const parts: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" class="grid"/>`,
      `<text x="${M.left - 6}" y="${y(v) + 4}" text-anchor="end">${Math.round(v)}</text>`,
    );
  }
  const labelEvery = Math.max(1, Math.ceil(buckets / 8));
  for (let b = 0; b <= buckets; b += labelEvery) {
    const t = new Date(start + b * bucketMs);
    const label =
      bucketMs < 86_400_000
        ? t.toISOString().slice(5, 13).replace('T', ' ') + 'h'
        : t.toISOString().slice(0, 10);
    parts.push(`<text x="${x(t.getTime())}" y="${H - M.bottom + 16}" text-anchor="middle">${label}</text>`);
  }
  aes.forEach((ae, i) => {
    const color = COLORS[i % COLORS.length];
    const byBucket = new Map(
      points.filter((p) => p.ae_title === ae).map((p) => [p.bucket.getTime(), p.associations]),
    );
    const coords: string[] = [];
    for (let b = 0; b < buckets; b++) {
      const t = start + b * bucketMs;
      coords.push(`${x(t + bucketMs / 2).toFixed(1)},${y(byBucket.get(t) ?? 0).toFixed(1)}`);
    }
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${coords.join(' ')}"/>`);
    for (const [t, v] of byBucket)
      parts.push(
        `<circle cx="${x(t + bucketMs / 2).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${color}"><title>${escapeHtml(ae)}: ${v}</title></circle>`,
      );
    parts.push(
      `<rect x="${W - M.right + 14}" y="${M.top + i * 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${W - M.right + 32}" y="${M.top + i * 18 + 10}">${escapeHtml(ae)}</text>`,
    );
  });
  return `<svg class="chart" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="Associations per calling AE title">${parts.join('')}</svg>`;
}
