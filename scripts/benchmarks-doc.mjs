#!/usr/bin/env node
// The "Last run" section of docs/benchmarks.md, from bench-results/*.md (the tables `npm run bench` printed, one
// file per benchmark) and bench-results/run.json (when and on which Node). Prints it, or with --write puts it in.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const results = new URL('bench-results/', root);
const doc = new URL('docs/benchmarks.md', root);
const BEGIN = '<!-- written by node scripts/benchmarks-doc.mjs --write from bench-results/ -->';
const END = '<!-- end of last run -->';

export function lastRunSection() {
  if (!existsSync(results)) return 'No run recorded yet: `npm run bench`.';
  const run = existsSync(new URL('run.json', results))
    ? JSON.parse(readFileSync(new URL('run.json', results), 'utf8'))
    : {};
  const parts = [
    `${run.finished_at ?? 'unknown time'}, Node ${run.node ?? 'unknown'}, ${run.cpus ?? '?'} cores` +
      (run.note ? `; ${run.note}` : ''),
  ];
  for (const file of readdirSync(results)
    .filter((f) => f.endsWith('.md'))
    .sort()) {
    parts.push(`### ${file.replace(/\.md$/, '')}\n\n${readFileSync(new URL(file, results), 'utf8').trim()}`);
  }
  return parts.join('\n\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const section = lastRunSection();
  if (!process.argv.includes('--write')) process.stdout.write(`${section}\n`);
  else {
    const text = readFileSync(doc, 'utf8');
    const a = text.indexOf(BEGIN);
    const b = text.indexOf(END);
    if (a < 0 || b < a) throw new Error('docs/benchmarks.md lacks the last-run markers');
    writeFileSync(doc, `${text.slice(0, a + BEGIN.length)}\n\n${section}\n\n${text.slice(b)}`);
    process.stderr.write('docs/benchmarks.md: last run written\n');
  }
}
