/**
 * Wildcard matching, PS3.4 §C.2.2.2.4: `*` matches any run of characters (the empty run too), `?` exactly
 * one character, everything else itself. No regular expression, no backtracking: the pattern is cut at
 * its `*`s into pieces; the first piece must match at the start, the last at the end, and each piece
 * between is matched at its leftmost position after the previous one. Leftmost is always right for a
 * piece between two `*`s (a later position only leaves less room for what follows), so no choice is ever
 * revisited: at most |pattern| × |value| character comparisons, whatever the number of `*`s
 * (a regular expression from `*a*a*a…*b` takes exponential time on a long run of `a`).
 * Characters are Unicode code points; `caseInsensitive` compares lower-cased forms (PN).
 */

/** Whether `piece` (no `*`; `?` any one character) matches `value` at `at`. */
function pieceAt(piece: readonly string[], value: readonly string[], at: number): boolean {
  if (at + piece.length > value.length) return false;
  for (let k = 0; k < piece.length; k++) if (piece[k] !== '?' && piece[k] !== value[at + k]) return false;
  return true;
}

export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const p = caseInsensitive ? pattern.toLowerCase() : pattern;
  const v = Array.from(caseInsensitive ? value.toLowerCase() : value);
  const pieces = p.split('*').map((s) => Array.from(s));
  const first = pieces[0]!;
  if (pieces.length === 1) return first.length === v.length && pieceAt(first, v, 0);
  const last = pieces[pieces.length - 1]!;
  if (first.length + last.length > v.length) return false;
  if (!pieceAt(first, v, 0) || !pieceAt(last, v, v.length - last.length)) return false;
  let at = first.length;
  const end = v.length - last.length;
  for (let i = 1; i < pieces.length - 1; i++) {
    const piece = pieces[i]!;
    if (piece.length === 0) continue;
    let found = -1;
    for (let j = at; j + piece.length <= end; j++) {
      if (pieceAt(piece, v, j)) {
        found = j;
        break;
      }
    }
    if (found < 0) return false;
    at = found + piece.length;
  }
  return true;
}
