#!/usr/bin/env node
/**
 * `npm run fuzz`: mutated DIMSE command sets and data sets over real associations to a real adapter process
 * (fuzz-run.ts). FUZZ_CASES (default 100,000), FUZZ_SEED (default 1), FUZZ_FIRST (index of the first case, default
 * 0) and FUZZ_CONCURRENCY (associations at once, default 4) choose the run; the same seed gives the same cases, so
 * runs of FUZZ_FIRST=0, 25000, 50000, 75000 with FUZZ_CASES=25000 cover the same cases as one run of 100,000. Prints the table; exits 1 when the adapter crashed or stopped answering. Not part of `npm test`
 * (the test suite runs a few thousand seeded cases: test/fuzz/dimse-fuzz.int.test.ts).
 */
import { fuzzTable, runFuzz } from './fuzz-run.js';

const cases = Number(process.env['FUZZ_CASES'] ?? 100_000);
const seed = Number(process.env['FUZZ_SEED'] ?? 1);
const first = Number(process.env['FUZZ_FIRST'] ?? 0);
const concurrency = Number(process.env['FUZZ_CONCURRENCY'] ?? 4);
process.stdout.write(
  `DIMSE fuzz: ${cases.toLocaleString('en-US')} cases from index ${first.toLocaleString('en-US')}, seed ${seed}\n`,
);
// SIGINT/SIGTERM end the run after the cases in flight; the table covers what ran.
const stop = new AbortController();
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => stop.abort());
const stats = await runFuzz({
  signal: stop.signal,
  seed,
  cases,
  first,
  concurrency,
  progressEvery: 10_000,
  onProgress: (s) =>
    process.stdout.write(
      `  ${s.cases.toLocaleString('en-US')} cases, ${s.crashes.length} crashes, ${(s.maxRssBytes / 1048576).toFixed(0)} MiB peak, ${s.seconds.toFixed(0)} s\n`,
    ),
});
process.stdout.write(`\n${fuzzTable(stats, seed, concurrency, first)}\n`);
process.exit(stats.crashes.length > 0 ? 1 : 0);
