/**
 * Hostile tokenizers: @huggingface/tokenizers compiles tokenizer.json's `Regex` patterns (Split
 * pre-tokenizers, Replace normalizers and decoders) into JavaScript RegExps, which backtrack. A pattern
 * such as `(a+)+$` then takes exponential time on a string it almost matches ("aaaa…a!"), and
 * tokenization hangs synchronously: no vitest timeout can interrupt it. So each pattern is checked
 * before the tokenizer is built, by its structure, in time linear in its length.
 *
 * The check is the classic one for exponential backtracking (as in safe-regex): a repetition (`*`, `+`,
 * `{n,}`) of a group that itself contains a repetition ("star height" above 1), or of a group whose
 * alternatives can start with the same thing (`(a|a)+`, `(\d|\d\d)+`). It is conservative: it also
 * refuses a few nested repetitions that happen to be unambiguous, such as `((ab)+c)*`. It does not look
 * for polynomial backtracking (`\s*\s*$`): slow on long inputs, but not a hang. The pre-tokenizer
 * patterns of the LLaMA-2, LLaMA-3 and Qwen3 tokenizers have star height 1 and pass.
 */

/** A `Regex` pattern of a tokenizer.json, with where it is (`pre_tokenizer.pretokenizers.0.pattern.Regex`). */
export interface TokenizerPattern {
  field: string;
  pattern: string;
}

/** Every `Regex` pattern in a parsed tokenizer.json, outside the vocabulary and added tokens. */
export function tokenizerPatterns(json: unknown): TokenizerPattern[] {
  const found: TokenizerPattern[] = [];
  const walk = (value: unknown, path: string[]): void => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      if (path.length === 0 && (key === 'model' || key === 'added_tokens')) continue;
      if (key === 'Regex' && typeof child === 'string') found.push({ field: [...path, key].join('.'), pattern: child });
      else walk(child, [...path, key]);
    }
  };
  walk(json, []);
  return found;
}

/** A group being read: where it starts, whether it repeats inside, the first atom of each alternative. */
interface Group {
  start: number;
  repeats: boolean;
  firsts: string[];
  first: string | null;
}

/** The length of the atom at `i` that is not a group: an escape (`\p{L}`, `\u{1F600}`, `\d`), a class, a character. */
function atomLength(p: string, i: number): number {
  if (p[i] === '\\') {
    if ('pPuxk'.includes(p[i + 1] ?? '') && (p[i + 2] === '{' || p[i + 2] === '<')) {
      const close = p.indexOf(p[i + 2] === '{' ? '}' : '>', i + 3);
      return close < 0 ? p.length - i : close + 1 - i;
    }
    return Math.min(2, p.length - i);
  }
  if (p[i] === '[') {
    let j = i + 1;
    if (p[j] === '^') j++;
    if (p[j] === ']') j++; // a leading ] is a literal (oniguruma)
    let depth = 1; // oniguruma classes nest: [a-z&&[^aeiou]]
    for (; j < p.length && depth > 0; j++) {
      if (p[j] === '\\') j++;
      else if (p[j] === '[') depth++;
      else if (p[j] === ']') depth--;
    }
    return j - i;
  }
  return 1;
}

/** The length of a quantifier at `i` (with its lazy `?` or possessive `+`), 0 when none, and whether it is unbounded. */
function quantifier(p: string, i: number): { length: number; unbounded: boolean } {
  let length = 0;
  let unbounded = false;
  const c = p[i];
  if (c === '*' || c === '+') [length, unbounded] = [1, true];
  else if (c === '?') length = 1;
  else if (c === '{') {
    const m = /^\{(\d*)(,(\d*))?\}/.exec(p.slice(i));
    if (m !== null && (m[1] !== '' || m[3] !== undefined)) [length, unbounded] = [m[0].length, m[2] !== undefined && m[3] === ''];
  }
  if (length > 0 && (p[i + length] === '?' || p[i + length] === '+')) length++;
  return { length, unbounded };
}

/** The length of a group's opening: `(`, `(?:`, `(?=`, `(?<!`, `(?<name>`, `(?i:` or `(?i)`. */
function groupOpening(p: string, i: number): number {
  if (p[i + 1] !== '?') return 1;
  const m = /^\(\?(?:[:=!>]|<[=!]|<[A-Za-z_][\w]*>|P?<[A-Za-z_]\w*>|[imsx-]+[:)])/.exec(p.slice(i));
  return m === null ? 2 : m[0].length;
}

/** What {@link catastrophicPart} found: the part, e.g. `(a+)+`, and what is wrong with it. */
export interface CatastrophicPart {
  part: string;
  problem: 'repeats a group that itself repeats' | 'repeats a group whose alternatives start alike';
}

/**
 * The part of a pattern that can backtrack exponentially (see the file comment), e.g. `(a+)+` in
 * `(a+)+$`, or null when none is found.
 */
export function catastrophicPart(pattern: string): CatastrophicPart | null {
  const p = pattern;
  const stack: Group[] = [{ start: 0, repeats: false, firsts: [], first: null }];
  let i = 0;
  while (i < p.length) {
    const top = stack[stack.length - 1]!;
    const c = p[i];
    if (c === '(') {
      const opening = groupOpening(p, i);
      if (p[i + opening - 1] === ')') {
        i += opening; // an inline flag group, (?i): no atom
        continue;
      }
      stack.push({ start: i, repeats: false, firsts: [], first: null });
      i += opening;
      continue;
    }
    if (c === '|') {
      top.firsts.push(top.first ?? '');
      top.first = null;
      i++;
      continue;
    }
    let atom: string;
    let inner: Group | null = null;
    if (c === ')' && stack.length > 1) {
      inner = stack.pop()!;
      inner.firsts.push(inner.first ?? '');
      atom = p.slice(inner.start, i + 1);
      i++;
    } else {
      const length = atomLength(p, i);
      atom = p.slice(i, i + length);
      i += length;
    }
    const parent = stack[stack.length - 1]!;
    const q = quantifier(p, i);
    const repeated = `${atom}${p.slice(i, i + q.length)}`;
    if (inner !== null && q.unbounded) {
      const firsts = inner.firsts.filter((f) => f !== '');
      if (inner.repeats) return { part: repeated, problem: 'repeats a group that itself repeats' };
      if (new Set(firsts).size < firsts.length) return { part: repeated, problem: 'repeats a group whose alternatives start alike' };
    }
    if (q.unbounded || inner?.repeats) parent.repeats = true;
    if (parent.first === null) parent.first = inner === null ? atom : (inner.firsts.length === 1 ? inner.firsts[0]! : atom);
    i += q.length;
  }
  return null;
}
