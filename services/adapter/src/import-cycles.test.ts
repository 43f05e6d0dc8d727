/**
 * The adapter's modules import each other one way: no circle, counting `import type` and `import()` too (a type
 * circle is still two modules that cannot be understood apart). Reads the TypeScript sources next to dist/.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const IMPORT =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts') && !/\.test(-support)?\.ts$/.test(p)) out.push(p);
  }
  return out;
}

/** Module → the adapter modules it imports (relative specifiers, `.js` as written for NodeNext). */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const f of files) {
    const deps = new Set<string>();
    for (const m of readFileSync(f, 'utf8').matchAll(IMPORT)) {
      const target = path.resolve(path.dirname(f), (m[1] ?? m[2] ?? '').replace(/\.js$/, '.ts'));
      if (known.has(target)) deps.add(target);
    }
    graph.set(f, [...deps]);
  }
  return graph;
}

/** Strongly connected components of more than one module, or of one that imports itself (Tarjan). */
export function circles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.includes(v)) found.push(scc);
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

test('the import graph of src/ has no circle (type imports and import() included)', () => {
  const files = sources(SRC);
  assert.ok(files.length > 100, `read ${files.length} modules under ${SRC}`);
  const found = circles(importGraph(files)).map((c) => c.map((f) => path.relative(SRC, f)).sort());
  assert.deepEqual(found, []);
});

test('circles: finds a type-only circle and an import() one, and nothing in a chain', () => {
  const g = new Map([
    ['acse', ['association']],
    ['association', ['acse', 'dimse']],
    ['dimse', []],
    ['client', ['dispatch']],
    ['dispatch', ['query-retrieve']],
    ['query-retrieve', ['client']],
  ]);
  assert.deepEqual(
    circles(g).map((c) => c.sort()),
    [
      ['acse', 'association'],
      ['client', 'dispatch', 'query-retrieve'],
    ],
  );
  assert.deepEqual(
    circles(
      new Map([
        ['a', ['b']],
        ['b', ['c']],
        ['c', []],
      ]),
    ),
    [],
  );
});
