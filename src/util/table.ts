/**
 * The one text-table renderer: columns padded to their widest cell (by display width, so CJK and Thai cells line
 * up), a rule under the header. Two looks —
 * `plain` for the command line (cells two spaces apart, a ─ rule, ends with a newline) and `pipes` for matcher
 * messages (cells " | " apart, a -|- rule, an optional title line and indent; no trailing newline).
 */

/**
 * The columns a string takes in a terminal: East Asian wide and fullwidth characters (CJK, Hangul, fullwidth forms,
 * most emoji) take two, combining marks (Thai vowels and tone marks, Arabic harakat, Devanagari signs that do not
 * space) and format characters (zero-width joiners) none, everything else one.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (/[\p{Mn}\p{Me}\p{Cf}]/u.test(ch)) continue;
    width += isWide(cp) ? 2 : 1;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) || // Hangul Jamo initials
    (cp >= 0x2e80 && cp <= 0x303e) || // CJK radicals, Kangxi, CJK symbols and punctuation
    (cp >= 0x3041 && cp <= 0x33ff) || // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, CJK compatibility
    (cp >= 0x3400 && cp <= 0x4dbf) || // CJK extension A
    (cp >= 0x4e00 && cp <= 0x9fff) || // CJK unified ideographs
    (cp >= 0xa000 && cp <= 0xa4cf) || // Yi
    (cp >= 0xac00 && cp <= 0xd7a3) || // Hangul syllables
    (cp >= 0xf900 && cp <= 0xfaff) || // CJK compatibility ideographs
    (cp >= 0xfe30 && cp <= 0xfe4f) || // CJK compatibility forms
    (cp >= 0xff00 && cp <= 0xff60) || // fullwidth forms
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) || // emoji
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd) // CJK extensions B–
  );
}

const padEnd = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - displayWidth(text)));
const padStart = (text: string, width: number) => ' '.repeat(Math.max(0, width - displayWidth(text))) + text;

/** A column of a text table: its header, and whether numbers line up on the right. */
export interface Column {
  header: string;
  align: 'left' | 'right';
}

export interface TableStyle {
  look: 'plain' | 'pipes';
  /** A line above the header (pipes only). */
  title?: string;
  /** Put before every line (pipes only). */
  indent?: string;
}

export function formatTable(columns: readonly Column[], rows: readonly (readonly string[])[], style: TableStyle = { look: 'plain' }): string {
  const widths = columns.map((c, i) => Math.max(displayWidth(c.header), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const pad = (cells: readonly string[]) => columns.map((c, i) => (c.align === 'right' ? padStart(cells[i] ?? '', widths[i]!) : padEnd(cells[i] ?? '', widths[i]!)));
  if (style.look === 'plain') {
    const line = (cells: readonly string[]) => pad(cells).join('  ').trimEnd();
    return [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
  }
  const indent = style.indent ?? '';
  const line = (cells: readonly string[]) => indent + pad(cells).join(' | ').trimEnd();
  const lines = [line(columns.map((c) => c.header)), indent + widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  return (style.title === undefined ? lines : [`${indent}${style.title}`, ...lines]).join('\n');
}
