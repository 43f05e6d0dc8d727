/**
 * The console's reports over 10 million events (BENCH_EVENTS): the database is seeded once by bench/seed.sql
 * (generate_series into audit.events and the projections; kept as BENCH_DATABASE, default dt_console_bench, and
 * reused by later runs), migrated (the report indexes of migration 0012 included), then through the console's own
 * query code and role (dicomtrail_console):
 *  - the patient access report (query + accounting) for BENCH_RUNS different patients: median and max;
 *  - the patient name search ("name contains");
 *  - the overview for a day and for a year;
 *  - the trail search (one page + the capped count) for a whole year, by AE title, by failure status, ...
 * Target: the patient report under 2 s. Prints a Markdown table; writes bench-results/console-report.json.
 * On a 2-core machine that runs other work too, the numbers are noisy: compare runs on a quiet machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool } from '../src/db.js';
import { accountingEntries } from '../src/disclosure-accounting.js';
import { overview } from '../src/queries/overview.js';
import { patientAccessRows, patientsByName } from '../src/queries/patient-report.js';
import { searchTrail } from '../src/queries/trail-search.js';
import { parseFilter } from '../src/search-filter.js';
import { BASE_URL, BENCH_DATABASE, BENCH_EVENTS, ensureSeeded } from './seed-database.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? '7');
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const progress = (m: string) => process.stderr.write(`[console bench] ${m}\n`);

async function timed<T>(f: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await f();
  return { ms: performance.now() - t0, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);

progress(`seeding ${BENCH_DATABASE} with ${BENCH_EVENTS} events if not done yet (minutes)`);
const seed = await ensureSeeded(BASE_URL, BENCH_DATABASE, BENCH_EVENTS);
progress(`seed: ${seed.reused ? 'reused' : 'done'} (${seed.seconds.toFixed(0)} s)`);
const db = createPool(seed.url, 'dicomtrail_console');
const year = { from: new Date('2026-01-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z') };
const rows: [string, string, string][] = [];
const results: Record<string, unknown> = {
  events: seed.events,
  seed_seconds: seed.seconds,
  seed_reused: seed.reused,
};
try {
  const report: number[] = [];
  let accesses = 0;
  for (let i = 0; i < RUNS; i++) {
    const patient = `PAT${(4242 + i * 7919) % 100_000}`;
    const { ms, value } = await timed(async () =>
      accountingEntries((await patientAccessRows(db, patient, year)).rows),
    );
    report.push(ms);
    accesses = value.length;
  }
  results['report_ms'] = report;
  rows.push([
    'patient access report (query + 164.528 grouping), one year',
    `median ${fmt(median(report))}, max ${fmt(Math.max(...report))} over ${RUNS} patients`,
    `${accesses} entries per patient; target < 2 s: ${Math.max(...report) < 2000 ? 'met' : 'NOT met'}`,
  ]);

  const names: number[] = [];
  for (let i = 0; i < RUNS; i++) names.push((await timed(() => patientsByName(db, `patient${4242 + i}`))).ms);
  results['name_search_ms'] = names;
  rows.push(['patient name search (contains, trigram index)', `median ${fmt(median(names))}`, '']);

  for (const [label, period] of [
    [
      'overview: one day (hourly chart)',
      { from: new Date('2026-06-01T00:00:00Z'), to: new Date('2026-06-02T00:00:00Z') },
    ],
    ['overview: whole year (daily chart)', year],
  ] as const) {
    const times: number[] = [];
    for (let i = 0; i < Math.min(RUNS, 3); i++) times.push((await timed(() => overview(db, period))).ms);
    results[label] = times;
    rows.push([label, `median ${fmt(median(times))}`, '']);
  }

  const now = new Date('2026-12-31T00:00:00Z');
  const searches: [string, Record<string, string>][] = [
    ['search: whole year, no filter', { from: '2026-01-01', to: '2026-12-31' }],
    ['search: whole year, by AE title', { from: '2026-01-01', to: '2026-12-31', ae: 'MODALITY7' }],
    ['search: whole year, failures', { from: '2026-01-01', to: '2026-12-31', status: 'failure' }],
    ['search: whole year, by accession', { from: '2026-01-01', to: '2026-12-31', accession: 'ACC42431' }],
    [
      'search: whole year, by move destination',
      { from: '2026-01-01', to: '2026-12-31', destination: 'WORKSTATION3' },
    ],
  ];
  for (const [label, q] of searches) {
    const f = parseFilter(q, now);
    const times: number[] = [];
    let count = '';
    for (let i = 0; i < Math.min(RUNS, 5); i++) {
      const { ms, value } = await timed(() => searchTrail(db, f, 50, 10_000));
      times.push(ms);
      count = value.capped ? `> ${value.count}` : String(value.count);
    }
    results[label] = times;
    rows.push([`${label} (page of 50 + capped count)`, `median ${fmt(median(times))}`, `count ${count}`]);
  }
} finally {
  await db.end();
}
const table = [
  `Console reports over ${seed.events.toLocaleString('en')} seeded events (seeded in ${seed.seconds.toFixed(0)} s${seed.reused ? ', reused' : ''})`,
  '',
  '| what | time | notes |',
  '| --- | --- | --- |',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
process.stdout.write(`${table}\n`);
mkdirSync(path.join(repoRoot, 'bench-results'), { recursive: true });
writeFileSync(
  path.join(repoRoot, 'bench-results', 'console-report.json'),
  `${JSON.stringify(results, null, 2)}\n`,
);
