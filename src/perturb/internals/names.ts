/** Levenshtein distance between two strings (dynamic programming, one row). */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** The `count` names of `known` closest to `name` (edit distance), closest first. */
export function closeNames(name: string, known: Iterable<string>, count = 3): string[] {
  return [...known]
    .map((k) => ({ k, d: editDistance(name, k) }))
    .sort((x, y) => x.d - y.d || x.k.localeCompare(y.k))
    .slice(0, count)
    .map(({ k }) => k);
}

/** "no weight named X (closest: a, b, c)": the message for a name the model does not have. */
export function unknownWeightMessage(name: string, known: Iterable<string>): string {
  const close = closeNames(name, known);
  return `no weight named ${JSON.stringify(name)}${close.length === 0 ? ' (the model has no weights)' : ` (closest: ${close.join(', ')})`}`;
}
