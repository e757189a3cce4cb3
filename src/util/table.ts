/**
 * The one text-table renderer: columns padded to their widest cell, a rule under the header. Two looks —
 * `plain` for the command line (cells two spaces apart, a ─ rule, ends with a newline) and `pipes` for matcher
 * messages (cells " | " apart, a -|- rule, an optional title line and indent; no trailing newline).
 */

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
  const widths = columns.map((c, i) => Math.max(c.header.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (cells: readonly string[]) => columns.map((c, i) => (c.align === 'right' ? (cells[i] ?? '').padStart(widths[i]!) : (cells[i] ?? '').padEnd(widths[i]!)));
  if (style.look === 'plain') {
    const line = (cells: readonly string[]) => pad(cells).join('  ').trimEnd();
    return [line(columns.map((c) => c.header)), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n') + '\n';
  }
  const indent = style.indent ?? '';
  const line = (cells: readonly string[]) => indent + pad(cells).join(' | ').trimEnd();
  const lines = [line(columns.map((c) => c.header)), indent + widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)];
  return (style.title === undefined ? lines : [`${indent}${style.title}`, ...lines]).join('\n');
}
