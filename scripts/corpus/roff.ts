/**
 * Turns a man(7) page's roff source into plain paragraphs: running text and headings are kept;
 * no-fill blocks (examples, code), tables, equations, macro definitions, comments, the title line
 * and the tags of tagged paragraphs (`.TP`, usually an option such as `-m, --mode`) are dropped.
 */

/** Special characters `\(xx` / `\[xx]` that occur in translated man pages. */
const SPECIAL: Record<string, string> = {
  aq: "'", dq: '"', lq: '“', rq: '”', oq: '‘', cq: '’', Fo: '«', Fc: '»', fo: '‹', fc: '›',
  em: '—', en: '–', hy: '-', mi: '−', pl: '+', eq: '=', bu: '•', co: '©', rg: '®', tm: '™',
  de: '°', mu: '×', di: '÷', '+-': '±', '<=': '≤', '>=': '≥', '!=': '≠', '->': '→', '<-': '←',
  rs: '\\', sl: '/', ti: '~', ha: '^', ga: '`', aa: '´', ba: '|', or: '|', at: '@', sh: '#',
  Do: '$', ps: '¶', sc: '§', ct: '¢', Po: '£', Eu: '€', ss: 'ß', 'ae': 'æ', 'o/': 'ø', "'e": 'é',
  "'a": 'á', "'i": 'í', "'o": 'ó', "'u": 'ú', '`a': 'à', '`e': 'è', ':a': 'ä', ':o': 'ö', ':u': 'ü',
  '~n': 'ñ', ',c': 'ç', 'lB': '[', 'rB': ']', 'lC': '{', 'rC': '}', 'la': '⟨', 'ra': '⟩',
};

/** Predefined strings `\*(xx` / `\*[xx]`. */
const STRINGS: Record<string, string> = { lq: '“', rq: '”', R: '®', Tm: '™' };

function special(name: string): string {
  const unicode = /^u([0-9A-Fa-f]{4,6})$/.exec(name);
  if (unicode?.[1] !== undefined) return String.fromCodePoint(Number.parseInt(unicode[1], 16));
  return SPECIAL[name] ?? '';
}

/** One roff escape; the named groups are the ones that print something. */
const ESCAPE = new RegExp(
  '\\\\(?:' +
    [
      String.raw`\((?<special2>[^\n]{2})`, // \(xx special character
      String.raw`\[(?<special>[^\]\n]*)\]`, // \[name] special character
      String.raw`\*(?:\((?<string2>[^\n]{2})|\[(?<string>[^\]\n]*)\]|(?<string1>.))`, // \*x predefined string
      String.raw`f(?:\([^\n]{2}|\[[^\]\n]*\]|.)`, // font change
      String.raw`s(?:[-+]?\d|\([-+]?\d\d|\[[^\]\n]*\])`, // size change
      String.raw`[nkgmM](?:\([^\n]{2}|\[[^\]\n]*\]|.)`, // registers, colours
      String.raw`N'(?<code>\d+)'`, // character by number
      String.raw`[hvwoDlLXZbHSRxCV]'[^'\n]*'`, // motions, drawing, device controls
      String.raw`\$\d`, // macro arguments
      String.raw`(?<other>.)`, // any other one-character escape
    ].join('|') +
    ')',
  'gu',
);

/** What a one-character escape such as `\-` or `\&` prints. */
function oneCharEscape(ch: string): string {
  if (ch === "'") return '´';
  if (ch === '-' || ch === '.' || ch === '`') return ch;
  if (ch === 'e' || ch === '\\') return '\\';
  if (ch === ' ' || ch === '~' || ch === '0') return ' ';
  // \& \, \/ \| \^ \) \c \: \% \d \u \p \{ \} \z and friends print nothing.
  return /[a-zA-Z&,/|^):%{}]/.test(ch) ? '' : ch;
}

/** Replaces roff escapes in one line of text by the characters they print (or by nothing). */
export function unescapeRoff(text: string): string {
  return text.replace(ESCAPE, (...args: unknown[]) => {
    const g = args.at(-1) as Record<string, string | undefined>;
    const sp = g['special2'] ?? g['special'];
    if (sp !== undefined) return special(sp);
    const str = g['string2'] ?? g['string'] ?? g['string1'];
    if (str !== undefined) return STRINGS[str] ?? '';
    if (g['code'] !== undefined) return String.fromCodePoint(Number(g['code']));
    return g['other'] === undefined ? '' : oneCharEscape(g['other']);
  });
}

/** Splits a request's argument string into arguments, honouring double quotes. */
function requestArgs(rest: string): string[] {
  return [...rest.matchAll(/"((?:[^"]|"")*)"?|(\S+)/g)].map((m) => (m[1] ?? m[2] ?? '').replace(/""/g, '"'));
}

const SKIP_BLOCKS: Record<string, string> = { ig: '..', de: '..', am: '..', nf: 'fi', EX: 'EE', TS: 'TE', EQ: 'EN', PS: 'PE' };
const BREAKS = new Set(['PP', 'P', 'LP', 'HP', 'IP', 'TP', 'TQ', 'sp', 'br', 'RS', 'RE', 'SY', 'YS', 'bp', 'in', 'ti', 'ce', 'OP']);
const FONT_SPACED = new Set(['B', 'I', 'SM', 'SB']);
const FONT_ALTERNATING = new Set(['BR', 'BI', 'IB', 'IR', 'RB', 'RI']);

const CJK_END = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}、。，；：！？）」』]$/u;
const CJK_START = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}、。，；：！？（「『]/u;

/**
 * Joins the source lines of one filled paragraph: with a space, except between two Chinese or
 * Japanese characters, where the line break of the source was not a word space.
 */
function joinLines(parts: readonly string[]): string {
  let text = '';
  for (const part of parts) {
    const piece = part.trim();
    if (piece === '') continue;
    text += text === '' || (CJK_END.test(text) && CJK_START.test(piece)) ? piece : ` ${piece}`;
  }
  return text;
}

/**
 * Plain paragraphs (and section headings) of a man(7) page, in order. A page that only redirects to
 * another (`.so`) has none, and so has a BSD mdoc(7) page (`.Dd`/`.Dt`/`.Sh`): its inline macros
 * carry the text, and reading it as man(7) would run a whole page into one line.
 */
export function roffToParagraphs(source: string): string[] {
  const out: string[] = [];
  let paragraph: string[] = [];
  let skipUntil: string | undefined;
  let skipTagLines = 0;
  const flush = (): void => {
    const text = joinLines(paragraph).trim();
    if (text !== '') out.push(text);
    paragraph = [];
  };
  const addText = (text: string): void => {
    if (skipTagLines > 0) {
      skipTagLines--;
      return;
    }
    paragraph.push(text);
  };
  for (const rawLine of source.split('\n')) {
    const line = rawLine.replace(/\\".*$|\\#.*$/, '');
    const request = /^[.'][ \t]*([^\s\\]+)?(.*)$/.exec(line);
    if (skipUntil !== undefined) {
      if (request && (request[1] ?? '') === skipUntil) skipUntil = undefined;
      else if (skipUntil === '..' && line.trim() === '..') skipUntil = undefined;
      continue;
    }
    if (!request) {
      if (line.trim() === '') flush();
      else addText(unescapeRoff(line));
      continue;
    }
    const name = request[1] ?? '';
    const args = requestArgs(request[2] ?? '');
    // A redirect to another page, or a BSD mdoc page (whose macros this reader does not know).
    if (name === 'so' || name === 'Dd' || name === 'Dt' || name === 'Sh') return [];
    if (name in SKIP_BLOCKS) {
      flush();
      skipUntil = SKIP_BLOCKS[name];
    } else if (name === 'SH' || name === 'SS') {
      flush();
      if (args.length > 0) out.push(unescapeRoff(args.join(' ')));
    } else if (name === 'TP' || name === 'TQ') {
      flush();
      skipTagLines = 1;
    } else if (BREAKS.has(name)) {
      flush();
    } else if (FONT_SPACED.has(name)) {
      if (args.length > 0) addText(unescapeRoff(args.join(' ')));
    } else if (FONT_ALTERNATING.has(name)) {
      addText(unescapeRoff(args.join('')));
    } else if ((name === 'UE' || name === 'ME') && args.length > 0 && paragraph.length > 0) {
      // Trailing punctuation after a link: glued to the link text.
      paragraph[paragraph.length - 1] += unescapeRoff(args.join(''));
    }
    // Everything else (.TH, .UR/.MT targets, .ft, .PD, .nh, .ad, …) prints no text.
  }
  flush();
  return out;
}
