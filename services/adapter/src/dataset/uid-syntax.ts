/**
 * The syntax of a UID as PS3.5 §9.1 defines it: components of digits separated by single periods, at most
 * 64 characters, nothing else. A value that passes is safe as a file or folder name (no `..`, no `/`,
 * no empty component); the storage layout relies on that, and `insideDir` checks the result anyway.
 */
import path from 'node:path';

const UID_SYNTAX = /^[0-9]+(\.[0-9]+)*$/;

export const MAX_UID_LENGTH = 64;

/** Whether `v` is a UID by PS3.5 §9.1's syntax (leading zeros in a component are tolerated). */
export function isUid(v: string | undefined): v is string {
  return v !== undefined && v.length <= MAX_UID_LENGTH && UID_SYNTAX.test(v);
}

/** Whether `target` resolves to a path strictly inside `dir` (never `dir` itself, never beside it). */
export function insideDir(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

const SEP = path.sep.charCodeAt(0);

/**
 * The rest of `target` after `dir` and a separator, when that rest is a plain relative path (no empty, `.`,
 * `..` or dot-led component: what the storage layout builds of UIDs): then it is what path.relative(dir,
 * target) gives, without resolving both per call. Undefined otherwise (the caller falls back to path.relative).
 */
export function nameBelow(dir: string, target: string): string | undefined {
  const n = dir.length;
  if (n === 0 || dir.charCodeAt(n - 1) === SEP || target.length <= n + 1) return undefined;
  if (target.charCodeAt(n) !== SEP || !target.startsWith(dir)) return undefined;
  const rest = target.slice(n + 1);
  const sep = path.sep;
  if (
    rest.startsWith('.') ||
    rest.startsWith(sep) ||
    rest.endsWith(sep) ||
    rest.includes(`${sep}.`) ||
    rest.includes(`${sep}${sep}`)
  )
    return undefined;
  return rest;
}
