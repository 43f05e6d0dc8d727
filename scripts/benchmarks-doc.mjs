#!/usr/bin/env node
// The "Last run" section of docs/benchmarks.md, from bench-results/*.md (the tables `npm run bench` printed, one
// file per benchmark) and bench-results/run.json (when and on which Node). Prints it, or with --write puts it in.
// A benchmark that did not run this time (BENCH_ONLY) keeps its tables from the run that last wrote them, each
// benchmark's block saying when it ran.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const results = new URL('bench-results/', root);
const doc = new URL('docs/benchmarks.md', root);
const BEGIN = '<!-- written by node scripts/benchmarks-doc.mjs --write from bench-results/ -->';
const END = '<!-- end of last run -->';
const BLOCK = /^<!-- bench: (\S+) -->$/m;

/** The blocks of an earlier "Last run" section, by benchmark name. */
function blocksOf(section) {
  const parts = section.split(BLOCK);
  const blocks = new Map();
  for (let i = 1; i + 1 < parts.length; i += 2) blocks.set(parts[i], parts[i + 1].trim());
  return blocks;
}

export function lastRunSection(earlier = '') {
  if (!existsSync(results)) return earlier.trim() || 'No run recorded yet: `npm run bench`.';
  const run = existsSync(new URL('run.json', results))
    ? JSON.parse(readFileSync(new URL('run.json', results), 'utf8'))
    : {};
  const on = `Node ${run.node ?? 'unknown'}, ${run.cpus ?? '?'} cores` + (run.note ? `; ${run.note}` : '');
  const blocks = blocksOf(earlier);
  for (const file of readdirSync(results).filter((f) => f.endsWith('.md'))) {
    const name = file.replace(/\.md$/, '');
    // When its tables were written (a run of several benchmarks takes a while), on the run's Node.
    const when = `${statSync(new URL(file, results)).mtime.toISOString()}, ${on}`;
    blocks.set(name, `### ${name}\n\nRun: ${when}\n\n${readFileSync(new URL(file, results), 'utf8').trim()}`);
  }
  return [...blocks.keys()]
    .sort()
    .map((name) => `<!-- bench: ${name} -->\n${blocks.get(name)}`)
    .join('\n\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const text = readFileSync(doc, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  if (a < 0 || b < a) throw new Error('docs/benchmarks.md lacks the last-run markers');
  const section = lastRunSection(text.slice(a + BEGIN.length, b));
  if (!process.argv.includes('--write')) process.stdout.write(`${section}\n`);
  else {
    writeFileSync(doc, `${text.slice(0, a + BEGIN.length)}\n\n${section}\n\n${text.slice(b)}`);
    process.stderr.write('docs/benchmarks.md: last run written\n');
  }
}
